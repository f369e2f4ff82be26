// The public contract of logferry: exactly the names in the README's API table (a test holds
// the two together). Everything else is internal; tests and tools import it from its own file.
export type { Logger } from 'pino';
export { withLogBuffer } from './buffer/index.js';
export { withLogContext } from './context/index.js';
export { LogferryConfigError, type LogferryErrorCode } from './errors.js';
export type { FlushResult, SinkFlushState, SinkStats } from './lifecycle/index.js';
export { closeLogs, flushLogs, logStats } from './lifecycle/index.js';
export { configureLogging, createLogger, setLogLevel, transactionalLogger } from './loggers/index.js';
export type {
  BufferOptions,
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
export { DEFAULT_REDACT_KEYS, REDACTED } from './redact/index.js';
export type { SerializedError, SinkName } from './wire/index.js';
