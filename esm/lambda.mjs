// ES module entry of logferry/lambda, over the one CommonJS build (one root with `logferry`).
import lambda from '../dist/src/integrations/lambda.js';

export const { withLambdaLogging } = lambda;
