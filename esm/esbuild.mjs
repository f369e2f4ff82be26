// ES module entry of logferry/esbuild: re-exports the one CommonJS build (see esm/index.mjs).
export { logferryPlugin } from '../dist/src/integrations/esbuild.js';
