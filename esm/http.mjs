// ES module entry of logferry/http over the one CommonJS build (one root logger for import and require).
export { errorLogging, requestLogging, runInRequestContext } from '../dist/src/integrations/http.js';
