// The public contract of logferry: exactly the names in the README's API table (a test holds
// the two together). Everything else is internal; tests and tools import it from its own file.
export type { Logger } from 'pino';
export { withLogContext } from './context/log-context.js';
export { LogferryConfigError } from './errors.js';
export type { FlushResult, SinkFlushState, SinkStats } from './lifecycle/flush.js';
export { closeLogs, flushLogs, logStats } from './lifecycle/flush-close-stats.js';
export { configureLogging } from './loggers/build-root.js';
export { createLogger, transactionalLogger } from './loggers/create-logger.js';
export { setLogLevel } from './loggers/set-log-level.js';
export type {
  BugsnagOptions,
  BugsnagRule,
  CloudWatchOptions,
  CloudWatchScope,
  ConsoleOptions,
  LogferryOptions,
  LogLevel,
  LogSerializer,
  Profile,
  RedactOptions,
  SpoolOptions,
} from './options.js';
export { DEFAULT_REDACT_KEYS, REDACTED } from './redact/secret-keys.js';
export type { SinkName } from './wire/protocol.js';
export type { SerializedError } from './wire/serialized-error.js';
