// ES module entry of logferry/http over the one CommonJS build (one root logger for import and require).
import http from '../dist/src/integrations/http.js';

export const { requestLogging, errorLogging } = http;
