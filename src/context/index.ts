export { ContextFrame, currentContextFrame, currentLogContext, runInContextFrame, runInLogContext, withLogContext } from './log-context.js';
export { createLogScope, currentLogScope, type HeldLine, LOG_SCOPE, type LogScope, runInLogScope } from './log-scope.js';
export { censorQuery, requestPath, requestTabReader } from './request-scope.js';
export {
  createRequestState,
  currentRequestState,
  REQUEST_STATE,
  type RequestStart,
  type RequestState,
  type RequestUser,
  requestStateOf,
  runInRequest,
} from './request-state.js';
export { countSessionStarted, sessionCounterBuffer, sessionsTracked } from './session-counter.js';
export { type ActiveTraceReader, loadActiveTraceReader } from './trace-ids.js';
export { currentXrayTraceId, XRAY_TRACE_ID_FIELD, xrayApplies, xrayRootOf } from './xray.js';
