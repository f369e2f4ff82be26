import { hostname } from 'node:os';
import { LogferryConfigError } from '../errors.js';
import { parseSinkLevel } from '../levels/level-spec.js';
import type { BugsnagOptions, BugsnagRule, CloudWatchOptions, CloudWatchScope } from '../options.js';
import { CLOUDWATCH_RETENTION_DAYS, MAX_BATCH_BYTES, MAX_EVENT_MESSAGE_BYTES } from '../wire/cloudwatch-limits.js';
import type { ResolvedBugsnag, ResolvedCloudWatch } from '../wire/sink-options.js';
import { BUGSNAG_ENDPOINT_KEYS, BUGSNAG_RULE_KEYS } from './option-keys.js';
import {
  checkKnownKeys,
  type Env,
  fromEnvironment,
  oneOf,
  optional,
  parseBoolean,
  parseHttpUrl,
  parseOptionsObject,
  type ReadSetting,
  resolveSetting,
  text,
  type WholeNumberRange,
  wholeNumber,
} from './read-setting.js';

// The two network sinks' settings, key by key from code or the environment, checked on one path.

/** An event as large as PutLogEvents takes, unless the app asks for smaller ones. */
export const DEFAULT_MAX_EVENT_BYTES = MAX_EVENT_MESSAGE_BYTES;
const MAX_QUEUE_BYTES = 1024 * 1024 * 1024;
export const MIN_MAX_EVENT_BYTES = 1024;

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
const BUGSNAG_KEY = /^[0-9a-f]{32}$/i;

/** How long one attempt (Bugsnag notify, CloudWatch PutLogEvents) may take, answer and body included. */
const REQUEST_TIMEOUT = wholeNumber({ min: 100, max: 300_000, unit: 'milliseconds', maxNote: '5 minutes' });
const SEVERITIES = ['error', 'warning', 'info'] as const;

/** A sink's settings, each from code when given there, else from its variable, else its default. */
function settingsOf(env: Env, code: object | undefined) {
  const given = (code ?? {}) as Record<string, unknown>;
  return <T>(key: string, path: string, variable: string | undefined, read: ReadSetting<T>, fallback: T): T =>
    resolveSetting(env, { option: path, ...(variable ? { env: variable } : {}) }, given[key], read, fallback);
}

const API_KEY: ReadSetting<string> = (name, raw) => {
  if (typeof raw !== 'string' || !BUGSNAG_KEY.test(raw)) {
    throw new LogferryConfigError(name, raw, 'use the 32 hex characters of your project API key');
  }
  return raw;
};

/**
 * The Bugsnag sink's settings, each key from `code` when given there, else from its variable:
 * null when neither gives an API key. Every value is checked even then.
 */
export function resolveBugsnag(env: Env, code: BugsnagOptions | undefined, nodeEnv: string): ResolvedBugsnag | null {
  const setting = settingsOf(env, code);
  const apiKey = setting<string | undefined>('apiKey', 'bugsnag.apiKey', 'BUGSNAG_API_KEY', API_KEY, undefined);
  const maxBreadcrumbs = setting('maxBreadcrumbs', 'bugsnag.maxBreadcrumbs', undefined, wholeNumber(BREADCRUMBS), 25);
  const rules = setting<BugsnagRule[]>('rules', 'bugsnag.rules', undefined, RULES, []);
  const endpoints = bugsnagEndpoints(env, code?.endpoints);
  const appVersion = setting<string | undefined>('appVersion', 'bugsnag.appVersion', 'APP_VERSION', text(256), undefined);
  const onErrorModule = setting<string | undefined>('onErrorModule', 'bugsnag.onErrorModule', undefined, text(4096), undefined);
  const resolved: ResolvedBugsnag = {
    apiKey: apiKey ?? '',
    releaseStage: setting('releaseStage', 'bugsnag.releaseStage', 'BUGSNAG_RELEASE_STAGE', text(256), nodeEnv),
    level: setting('level', 'bugsnag.level', 'LOG_LEVEL_BUGSNAG', parseSinkLevel, 'warn'),
    rules,
    maxBreadcrumbs,
    maxEventsPerMinutePerGroup: setting('maxEventsPerMinutePerGroup', 'bugsnag.maxEventsPerMinutePerGroup', undefined, PER_GROUP, 10),
    maxQueuedEvents: setting('maxQueuedEvents', 'bugsnag.maxQueuedEvents', undefined, QUEUED_EVENTS, 1000),
    requestTimeoutMs: setting('requestTimeoutMs', 'bugsnag.requestTimeoutMs', undefined, REQUEST_TIMEOUT, 10_000),
    ...(endpoints ? { endpoints } : {}),
    ...(appVersion ? { appVersion } : {}),
    ...(onErrorModule ? { onErrorModule } : {}),
  };
  return apiKey === undefined ? null : resolved;
}

const BREADCRUMBS: WholeNumberRange = { min: 0, max: 100, maxNote: 'Bugsnag keeps at most 100' };
const PER_GROUP = wholeNumber({ min: 1, max: 100_000 });
const QUEUED_EVENTS = wholeNumber({ min: 1, max: 1_000_000 });

const RULES: ReadSetting<BugsnagRule[]> = (name, raw) => {
  if (!Array.isArray(raw)) throw new LogferryConfigError(name, raw, 'use an array of rules', 'type');
  for (const [index, rule] of raw.entries()) checkRule(`${name}[${index}]`, rule);
  return raw as BugsnagRule[];
};

/**
 * On-premise endpoints, each from `bugsnag.endpoints` or its variable: both or neither, checked
 * whether or not the sink is on, so a lone BUGSNAG_ENDPOINT_NOTIFY never sends events to bugsnag.com.
 */
function bugsnagEndpoints(env: Env, raw: unknown): ResolvedBugsnag['endpoints'] {
  const code = parseOptionsObject('bugsnag.endpoints', raw);
  if (code) checkKnownKeys('bugsnag.endpoints', code, BUGSNAG_ENDPOINT_KEYS);
  const setting = settingsOf(env, code);
  const notify = setting<string | undefined>('notify', 'bugsnag.endpoints.notify', 'BUGSNAG_ENDPOINT_NOTIFY', parseHttpUrl, undefined);
  const sessions = setting<string | undefined>(
    'sessions',
    'bugsnag.endpoints.sessions',
    'BUGSNAG_ENDPOINT_SESSIONS',
    parseHttpUrl,
    undefined,
  );
  if (notify !== undefined && sessions !== undefined) return { notify, sessions };
  if (notify === undefined && sessions === undefined) return undefined;
  const missing = notify === undefined ? 'BUGSNAG_ENDPOINT_NOTIFY' : 'BUGSNAG_ENDPOINT_SESSIONS';
  const path = notify === undefined ? 'bugsnag.endpoints.notify' : 'bugsnag.endpoints.sessions';
  throw new LogferryConfigError(
    missing,
    '',
    `set both BUGSNAG_ENDPOINT_NOTIFY and BUGSNAG_ENDPOINT_SESSIONS (or bugsnag.endpoints.notify and .sessions in code), or neither; ${missing} / ${path} is missing`,
  );
}

function checkRule(name: string, raw: unknown): void {
  const rule = parseOptionsObject(name, raw) ?? {};
  checkKnownKeys(name, rule, BUGSNAG_RULE_KEYS);
  if (rule.errorClass === undefined && rule.messageMatches === undefined) {
    throw new LogferryConfigError(name, rule, 'give errorClass or messageMatches');
  }
  optional(`${name}.errorClass`, rule.errorClass, text());
  optional(`${name}.groupingHash`, rule.groupingHash, text());
  optional(`${name}.severity`, rule.severity, oneOf(SEVERITIES));
  optional(`${name}.unhandled`, rule.unhandled, parseBoolean);
  optional(`${name}.ignore`, rule.ignore, parseBoolean);
  if (rule.messageMatches !== undefined) compileRulePattern(`${name}.messageMatches`, rule.messageMatches);
}

function compileRulePattern(name: string, pattern: unknown): void {
  try {
    if (typeof pattern !== 'string') throw new Error('not a string');
    new RegExp(pattern);
  } catch (error) {
    const accepted = `use a valid regular expression (${(error as Error).message})`;
    throw new LogferryConfigError(name, pattern, accepted, typeof pattern === 'string' ? 'value' : 'type');
  }
}

const SCOPE = oneOf<CloudWatchScope>(
  ['transactional', 'all'],
  'use transactional (the audit channel only) or all (every line at LOG_LEVEL_CLOUDWATCH)',
);

const RETENTION: ReadSetting<number> = (name, raw) => {
  // Text only from the environment: from code, the option is a number.
  const text = fromEnvironment(name) && typeof raw === 'string';
  const value = typeof raw === 'number' ? raw : text && /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(value)) {
    const shownAs = typeof raw === 'number' || text ? 'value' : 'type';
    const days = `use one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`;
    throw new LogferryConfigError(name, raw, shownAs === 'type' ? `${days} (a number)` : days, shownAs);
  }
  return value;
};

/** host-pid-start: unique per process, and free of the ':' and '*' CloudWatch refuses in stream names. */
export function defaultStreamName(startedAt = new Date()): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return `${hostname()}-${process.pid}-${stamp}`.slice(0, 512);
}

const GROUP: ReadSetting<string> = (name, raw) => {
  if (typeof raw !== 'string' || !GROUP_NAME.test(raw)) {
    throw new LogferryConfigError(
      name,
      raw,
      'use 1-512 characters of letters, digits and . - _ / #',
      typeof raw === 'string' ? 'value' : 'type',
    );
  }
  return raw;
};

const STREAM: ReadSetting<string> = (name, raw) => {
  if (typeof raw !== 'string' || !STREAM_NAME.test(raw)) {
    throw new LogferryConfigError(name, raw, "use 1-512 characters without ':' or '*'", typeof raw === 'string' ? 'value' : 'type');
  }
  return raw;
};

const EVENT_BYTES = wholeNumber({ min: MIN_MAX_EVENT_BYTES, max: DEFAULT_MAX_EVENT_BYTES });
const FLUSH_INTERVAL = wholeNumber({ min: 1, max: 60_000 });
// The queue is one Buffer in the worker, addressed with 32-bit offsets.
const QUEUE_BYTES = wholeNumber({ min: 2 * MAX_BATCH_BYTES, max: MAX_QUEUE_BYTES, minNote: 'two full batches', maxNote: '1 GiB' });

/**
 * The CloudWatch sink's settings, each key from `code` when given there, else from its variable:
 * null when neither gives a log group. Every value is checked even then.
 */
export function resolveCloudWatch(env: Env, code: CloudWatchOptions | undefined): ResolvedCloudWatch | null {
  const setting = settingsOf(env, code);
  const logGroupName = setting<string | undefined>('logGroupName', 'cloudwatch.logGroupName', 'CLOUDWATCH_LOG_GROUP', GROUP, undefined);
  const logStreamName = setting<string | undefined>(
    'logStreamName',
    'cloudwatch.logStreamName',
    'CLOUDWATCH_LOG_STREAM',
    STREAM,
    undefined,
  );
  const retentionDays = setting<number | undefined>(
    'retentionDays',
    'cloudwatch.retentionDays',
    'CLOUDWATCH_RETENTION_DAYS',
    RETENTION,
    undefined,
  );
  const region = setting<string | undefined>('region', 'cloudwatch.region', undefined, text(64), undefined);
  const endpoint = setting<string | undefined>('endpoint', 'cloudwatch.endpoint', undefined, parseHttpUrl, undefined);
  const resolved: ResolvedCloudWatch = {
    logGroupName: logGroupName ?? '',
    logStreamName: logStreamName ?? defaultStreamName(),
    scope: setting('scope', 'cloudwatch.scope', 'CLOUDWATCH_SCOPE', SCOPE, 'transactional'),
    level: setting('level', 'cloudwatch.level', 'LOG_LEVEL_CLOUDWATCH', parseSinkLevel, 'info'),
    createGroup: setting('createGroup', 'cloudwatch.createGroup', 'CLOUDWATCH_CREATE_GROUP', parseBoolean, true),
    maxEventBytes: setting('maxEventBytes', 'cloudwatch.maxEventBytes', undefined, EVENT_BYTES, DEFAULT_MAX_EVENT_BYTES),
    flushIntervalMs: setting('flushIntervalMs', 'cloudwatch.flushIntervalMs', undefined, FLUSH_INTERVAL, 1000),
    maxQueueBytes: setting('maxQueueBytes', 'cloudwatch.maxQueueBytes', undefined, QUEUE_BYTES, 32 * 1024 * 1024),
    // 0 would turn off both of the SDK's timeouts, and an attempt could then wait for ever.
    requestTimeoutMs: setting('requestTimeoutMs', 'cloudwatch.requestTimeoutMs', undefined, REQUEST_TIMEOUT, 10_000),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
  return logGroupName === undefined ? null : resolved;
}
