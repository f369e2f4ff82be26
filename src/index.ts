// The public contract of logferry: exactly the names in the README's API table (a test holds
// the two together). Everything else is internal; tests and tools import it from its own file.
export type { Logger } from 'pino';
export { withLogContext } from './context.js';
export { LogferryConfigError } from './errors.js';
export type { FlushResult, SinkFlushState, SinkStats } from './flush.js';
export { closeLogs, flushLogs, logStats } from './lifecycle.js';
export { setLogLevel } from './logger-levels.js';
export { createLogger, transactionalLogger } from './loggers.js';
export type {
  BugsnagOptions,
  BugsnagRule,
  CloudWatchOptions,
  CloudWatchScope,
  ConsoleOptions,
  LogferryOptions,
  LogLevel,
  Profile,
  RedactOptions,
  SpoolOptions,
} from './options.js';
export { DEFAULT_REDACT_KEYS, REDACTED } from './redact-keys.js';
export { configureLogging } from './root.js';
export type { SerializedError } from './serialize-error.js';
export type { SinkName } from './wire.js';
