export * from '../dist/src/integrations/http.js';
