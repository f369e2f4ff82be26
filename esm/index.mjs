// ES module entry: re-exports the one CommonJS build, so `import` and `require` in the same
// app share one root logger and one worker thread (no dual-package hazard).
import logferry from '../dist/src/index.js';

export const {
  createLogger,
  transactionalLogger,
  withLogContext,
  currentLogContext,
  flushLogs,
  closeLogs,
  logStats,
  configureLogging,
  setLogLevel,
  loadConfig,
  LogferryConfigError,
  DEFAULT_REDACT_KEYS,
  REDACTED,
  CLOUDWATCH_RETENTION_DAYS,
  DEFAULT_MAX_EVENT_BYTES,
} = logferry;
