import type { LevelName } from './wire/protocol.js';
import type { BugsnagRule, CloudWatchScope } from './wire/sink-options.js';

export type { BugsnagRule, CloudWatchScope };

/**
 * A pino-style serializer: the logged value in, what to log out. Declared as a method so a
 * serializer typed for its field (`(user: User) => …`) is accepted.
 */
export type LogSerializer = { serialize(value: unknown): unknown }['serialize'];

/** A level name, or `silent` to log nothing. */
export type LogLevel = LevelName | 'silent';

/** The profile `NODE_ENV` picks: `development` (also when unset, except on AWS Lambda), `test`, or `production` (any other value). */
export type Profile = 'development' | 'test' | 'production';

/** Options of the console (stdout) sink. */
export interface ConsoleOptions {
  /** Lowest level written to stdout. Env: `LOG_LEVEL_CONSOLE`. Default: every line the logger emits. */
  level?: LogLevel;
  /** Human-readable coloured lines (pino-pretty) instead of JSON. Env: `LOG_PRETTY`. Default: on in development. */
  pretty?: boolean;
}

/**
 * Options of the Bugsnag sink. Every key is optional: each one given here overrides its variable,
 * and the others still come from the environment (docs/operations.md#where-each-setting-comes-from).
 */
export interface BugsnagOptions {
  /** 32 hex characters. Env: `BUGSNAG_API_KEY`. The sink is off when neither gives it. */
  apiKey?: string;
  /** Env: `BUGSNAG_RELEASE_STAGE`. Default: the value of `NODE_ENV`. */
  releaseStage?: string;
  /** Env: `APP_VERSION`. */
  appVersion?: string;
  /** Lowest level reported as an event. Env: `LOG_LEVEL_BUGSNAG`. Default: `warn`. */
  level?: LevelName;
  /** On-premise Bugsnag. Env: `BUGSNAG_ENDPOINT_NOTIFY`, `BUGSNAG_ENDPOINT_SESSIONS`; both or neither, from either source. */
  endpoints?: { notify?: string; sessions?: string };
  /** Per-error-class rules, as `before_notify` would apply them. */
  rules?: BugsnagRule[];
  /** Absolute path or `file:` URL of a module whose default export `(event) => boolean | void` runs in the worker before each event is sent. */
  onErrorModule?: string;
  /** How many lower-level lines ride along as breadcrumbs. Default: 25 (Bugsnag keeps at most 100). */
  maxBreadcrumbs?: number;
  /** Events of one class and message allowed per minute before the rest are counted as suppressed. Default: 10. */
  maxEventsPerMinutePerGroup?: number;
  /** Pending events held while Bugsnag is unreachable; the oldest are dropped and counted past it. Default: 1000. */
  maxQueuedEvents?: number;
  /**
   * How long one notify attempt may take as a whole (waiting for a socket, the answer and its body);
   * past it the request is aborted, its socket freed, and the event sent again with backoff. 100 to 300000. Default: 10000.
   */
  requestTimeoutMs?: number;
}

/**
 * Options of the CloudWatch Logs sink. Credentials and region come from the AWS SDK's default chain.
 * Every key is optional: each one given here overrides its variable, and the others still come
 * from the environment (docs/operations.md#where-each-setting-comes-from).
 */
export interface CloudWatchOptions {
  /** Env: `CLOUDWATCH_LOG_GROUP`. The sink is off when neither gives it. */
  logGroupName?: string;
  /** Env: `CLOUDWATCH_LOG_STREAM`. Default: host name, pid and start time. */
  logStreamName?: string;
  /** Env: `CLOUDWATCH_SCOPE`. Default: `transactional`. */
  scope?: CloudWatchScope;
  /** Lowest level shipped. Env: `LOG_LEVEL_CLOUDWATCH`. Default: `info`. */
  level?: LevelName;
  /** Create the log group when it does not exist. Env: `CLOUDWATCH_CREATE_GROUP`. Default: true. */
  createGroup?: boolean;
  /** Retention applied once to a group this sink creates. Env: `CLOUDWATCH_RETENTION_DAYS`. */
  retentionDays?: number;
  /** AWS region. Default: the SDK's (`AWS_REGION`). */
  region?: string;
  /** Endpoint URL. Default: the SDK's (`AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`). */
  endpoint?: string;
  /** Largest event message in bytes. Default: 1,048,550 (1 MiB less the 26-byte event overhead); 262,118 for endpoints that enforce 256 KB. */
  maxEventBytes?: number;
  /** A partial batch is sent after this long. Default: 1000. */
  flushIntervalMs?: number;
  /**
   * Cap of the worker's queue, counted as PutLogEvents counts a batch (UTF-8 bytes plus 26 per line);
   * past it the oldest lines are dropped and counted. 2 MiB to 1 GiB. Default: 32 MiB.
   */
  maxQueueBytes?: number;
  /** How long one PutLogEvents attempt may wait for its answer before it is sent again (the copy is counted in `possibleDuplicates`). 100 to 300000. Default: 10000. */
  requestTimeoutMs?: number;
}

/** An on-disk spool of the lines CloudWatch ships, so a killed process loses none of them. */
export interface SpoolOptions {
  /** Directory of the spool files (created 0700; files 0600). Env: `LOG_SPOOL_DIR`. The spool is off without it. */
  dir?: string;
  /** Cap of one process's spool on disk; past it the oldest lines lose their disk copy (counted). Env: `LOG_SPOOL_MAX_BYTES`. Default: 64 MiB (1 MiB to 1 GiB). */
  maxBytes?: number;
  /** fsync each line, so it also survives a host crash (a disk flush per line). Env: `LOG_SPOOL_FSYNC`. Default: false. */
  fsync?: boolean;
}

/** Secret redaction. */
export interface RedactOptions {
  /** Extra key names to censor (matched case-insensitively, ignoring `-`, `_` and `.`). */
  keys?: string[];
  /** Default key names to stop censoring. */
  allow?: string[];
}

/**
 * What `configureLogging` accepts. Every field is optional and overrides what the environment says
 * for that setting alone; a later call merges into earlier ones key by key (`undefined` changes nothing).
 */
export interface LogferryOptions {
  /** Override the profile `NODE_ENV` picks. */
  profile?: Profile;
  /** Root level, or a `LOG_LEVEL`-style string with per-module overrides (`info,db=debug`). */
  level?: LogLevel | string;
  console?: ConsoleOptions | false;
  bugsnag?: BugsnagOptions | false;
  cloudwatch?: CloudWatchOptions | false;
  redact?: RedactOptions;
  /** The CloudWatch spool (see docs/spool.md); `false` turns off a `LOG_SPOOL_DIR` from the environment. */
  spool?: SpoolOptions | false;
  /** Bound of every wait at exit. Env: `LOG_EXIT_TIMEOUT_MS`. Default: 5000. */
  exitTimeoutMs?: number;
  /**
   * Log text the app's thread may hold within one turn of its event loop before it hands
   * lines to the worker synchronously, waiting for the worker's CPU (never the network).
   * Env: `LOG_MAX_APP_BACKLOG_BYTES`. Default: 64 MiB; from 1 MiB to 512 MiB.
   */
  maxAppBacklogBytes?: number;
  /**
   * Largest line in UTF-8 bytes. A longer one is shortened on the app's thread before it reaches
   * any sink: still JSON, `msg` and the small fields kept, the longest values cut, with
   * `logferryTruncated.originalBytes`. Env: `LOG_MAX_LINE_BYTES`. Default: 1 MiB; from 4 KiB to 64 MiB.
   */
  maxLineBytes?: number;
  /** Log uncaught exceptions and unhandled rejections at `fatal`. Default: on in production. */
  captureUncaught?: boolean;
  /** Flush on SIGTERM/SIGINT when the app has no handler of its own. Default: true. */
  handleSignals?: boolean;
  /**
   * Fields on every line (`{ service: 'api', version }`), as pino's `base`: they replace pino's
   * default `pid` and `hostname` (include them to keep them); `null` leaves all of them out.
   */
  base?: Record<string, unknown> | null;
  /** pino-style serializers by field name (`(value) => what to log`), applied on the app's thread before redaction. */
  serializers?: Record<string, LogSerializer>;
}
