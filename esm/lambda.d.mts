export * from '../dist/src/integrations/lambda.js';
