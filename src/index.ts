// The public contract of logferry, and nothing else.
export type { Logger } from 'pino';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export type { ResolvedBugsnag, ResolvedCloudWatch } from './config-sinks.js';
export { CLOUDWATCH_RETENTION_DAYS, DEFAULT_MAX_EVENT_BYTES } from './config-sinks.js';
export { currentLogContext, withLogContext } from './context.js';
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
  LogSerializer,
  Profile,
  RedactOptions,
} from './options.js';
export { DEFAULT_REDACT_KEYS, REDACTED } from './redact-keys.js';
export { configureLogging } from './root.js';
export type { SerializedError } from './serialize-error.js';
export type { SinkName } from './wire.js';
