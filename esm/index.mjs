// ES module entry: re-exports the one CommonJS build, so `import` and `require` in the same app
// share one root logger and one worker thread (no dual-package hazard). The names are listed, not
// re-exported with `export *`, so the namespace holds exactly the documented API and no
// `__esModule`; test/public-surface.test.ts checks both entries carry the same names.
export {
  closeLogs,
  configureLogging,
  createLogger,
  DEFAULT_REDACT_KEYS,
  flushLogs,
  LogferryConfigError,
  logStats,
  REDACTED,
  setLogLevel,
  transactionalLogger,
  withLogBuffer,
  withLogContext,
} from '../dist/src/index.js';
