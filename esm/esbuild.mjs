// ES module entry of logferry/esbuild, over the one CommonJS build.
import esbuild from '../dist/src/integrations/esbuild.js';

export const { logferryPlugin } = esbuild;
