export * from '../dist/src/integrations/esbuild.js';
