import type {
  BugsnagOptions,
  BugsnagRule,
  CloudWatchOptions,
  ConsoleOptions,
  LogferryOptions,
  RedactOptions,
  SpoolOptions,
} from '../options.js';

// The keys each options object accepts, so a misspelt or unknown key is refused instead of
// ignored. Typed as Record<keyof …, true>: adding an option to src/options.ts without listing it
// here (or listing one that does not exist) fails to compile.

type KeysOf<T> = Readonly<Record<keyof Required<T>, true>>;

/** configureLogging()'s top-level keys. */
export const LOGFERRY_OPTION_KEYS: KeysOf<LogferryOptions> = {
  profile: true,
  level: true,
  console: true,
  bugsnag: true,
  cloudwatch: true,
  redact: true,
  spool: true,
  exitTimeoutMs: true,
  maxAppBacklogBytes: true,
  maxLineBytes: true,
  captureUncaught: true,
  handleSignals: true,
  base: true,
  serializers: true,
};

export const CONSOLE_OPTION_KEYS: KeysOf<ConsoleOptions> = { level: true, pretty: true };

/** The keys `spool` takes in code; LOG_SPOOL_RESCAN_MS is for operators, in the environment only. */
export const SPOOL_OPTION_KEYS: KeysOf<SpoolOptions> = { dir: true, maxBytes: true, fsync: true };

export const REDACT_OPTION_KEYS: KeysOf<RedactOptions> = { keys: true, allow: true };

export const BUGSNAG_OPTION_KEYS: KeysOf<BugsnagOptions> = {
  apiKey: true,
  releaseStage: true,
  appVersion: true,
  level: true,
  endpoints: true,
  rules: true,
  onErrorModule: true,
  maxBreadcrumbs: true,
  maxEventsPerMinutePerGroup: true,
  maxQueuedEvents: true,
  requestTimeoutMs: true,
};

export const BUGSNAG_ENDPOINT_KEYS: KeysOf<NonNullable<BugsnagOptions['endpoints']>> = { notify: true, sessions: true };

export const BUGSNAG_RULE_KEYS: KeysOf<BugsnagRule> = {
  errorClass: true,
  messageMatches: true,
  severity: true,
  unhandled: true,
  groupingHash: true,
  ignore: true,
};

export const CLOUDWATCH_OPTION_KEYS: KeysOf<CloudWatchOptions> = {
  logGroupName: true,
  logStreamName: true,
  scope: true,
  level: true,
  createGroup: true,
  retentionDays: true,
  region: true,
  endpoint: true,
  maxEventBytes: true,
  flushIntervalMs: true,
  maxQueueBytes: true,
  requestTimeoutMs: true,
};
