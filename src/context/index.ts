export { currentLogContext, runInLogContext, withLogContext } from './log-context.js';
export { censorQuery, REQUEST_SCOPE, type RequestScope, requestPath, requestTabReader } from './request-scope.js';
export { countSessionStarted, sessionCounterBuffer, sessionsTracked } from './session-counter.js';
export { type ActiveTraceReader, loadActiveTraceReader } from './trace-ids.js';
export { currentXrayTraceId, XRAY_TRACE_ID_FIELD, xrayApplies, xrayRootOf } from './xray.js';
