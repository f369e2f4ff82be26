// ES module entry of logferry/lambda: re-exports the one CommonJS build, so it shares the root
// logger of `logferry` (see esm/index.mjs).
export { withLambdaLogging } from '../dist/src/integrations/lambda.js';
