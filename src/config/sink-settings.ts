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
  parseWholeNumber,
  readVar,
  text,
  wholeNumber,
} from './read-setting.js';

// Validation of the two network sinks' settings, from the environment or from options.

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

export function bugsnagFromEnv(env: Env, nodeEnv: string): BugsnagOptions | undefined {
  const apiKey = readVar(env, 'BUGSNAG_API_KEY');
  if (apiKey === undefined) return undefined;
  const notify = readVar(env, 'BUGSNAG_ENDPOINT_NOTIFY');
  const sessions = readVar(env, 'BUGSNAG_ENDPOINT_SESSIONS');
  if ((notify === undefined) !== (sessions === undefined)) {
    const missing = notify === undefined ? 'BUGSNAG_ENDPOINT_NOTIFY' : 'BUGSNAG_ENDPOINT_SESSIONS';
    throw new LogferryConfigError(missing, '', 'set both BUGSNAG_ENDPOINT_NOTIFY and BUGSNAG_ENDPOINT_SESSIONS, or neither');
  }
  const level = readVar(env, 'LOG_LEVEL_BUGSNAG');
  const appVersion = readVar(env, 'APP_VERSION');
  return {
    apiKey,
    releaseStage: readVar(env, 'BUGSNAG_RELEASE_STAGE') ?? nodeEnv,
    ...(appVersion ? { appVersion } : {}),
    ...(level ? { level: parseSinkLevel('LOG_LEVEL_BUGSNAG', level) } : {}),
    ...(notify && sessions
      ? {
          endpoints: {
            notify: parseHttpUrl('BUGSNAG_ENDPOINT_NOTIFY', notify),
            sessions: parseHttpUrl('BUGSNAG_ENDPOINT_SESSIONS', sessions),
          },
        }
      : {}),
  };
}

/** Where a sink's settings came from: errors name an option path for code, a variable for the environment. */
export type SettingSource = 'code' | 'env';

export function resolveBugsnag(options: BugsnagOptions, nodeEnv: string, source: SettingSource = 'code'): ResolvedBugsnag {
  if (typeof options.apiKey !== 'string' || !BUGSNAG_KEY.test(options.apiKey)) {
    const name = source === 'env' ? 'BUGSNAG_API_KEY' : 'bugsnag.apiKey';
    throw new LogferryConfigError(name, options.apiKey, 'use the 32 hex characters of your project API key');
  }
  const maxBreadcrumbs = parseWholeNumber('bugsnag.maxBreadcrumbs', options.maxBreadcrumbs ?? 25, {
    min: 0,
    max: 100,
    maxNote: 'Bugsnag keeps at most 100',
  });
  const rules = optional('bugsnag.rules', options.rules, (name, raw) => {
    if (!Array.isArray(raw)) throw new LogferryConfigError(name, raw, 'use an array of rules', 'type');
    return raw as BugsnagRule[];
  });
  for (const [index, rule] of (rules ?? []).entries()) checkRule(`bugsnag.rules[${index}]`, rule);
  const endpoints = parseOptionsObject('bugsnag.endpoints', options.endpoints);
  if (endpoints && source === 'code') checkKnownKeys('bugsnag.endpoints', endpoints, BUGSNAG_ENDPOINT_KEYS);
  const appVersion = optional('bugsnag.appVersion', options.appVersion, text(256));
  const onErrorModule = optional('bugsnag.onErrorModule', options.onErrorModule, text(4096));
  return {
    apiKey: options.apiKey,
    releaseStage: optional('bugsnag.releaseStage', options.releaseStage, text(256)) ?? nodeEnv,
    level: optional('bugsnag.level', options.level, parseSinkLevel) ?? 'warn',
    rules: rules ?? [],
    maxBreadcrumbs,
    maxEventsPerMinutePerGroup: parseWholeNumber('bugsnag.maxEventsPerMinutePerGroup', options.maxEventsPerMinutePerGroup ?? 10, {
      min: 1,
      max: 100_000,
    }),
    maxQueuedEvents: parseWholeNumber('bugsnag.maxQueuedEvents', options.maxQueuedEvents ?? 1000, { min: 1, max: 1_000_000 }),
    requestTimeoutMs: REQUEST_TIMEOUT('bugsnag.requestTimeoutMs', options.requestTimeoutMs ?? 10_000),
    ...(endpoints
      ? {
          endpoints: {
            notify: parseHttpUrl('bugsnag.endpoints.notify', endpoints.notify),
            sessions: parseHttpUrl('bugsnag.endpoints.sessions', endpoints.sessions),
          },
        }
      : {}),
    ...(appVersion ? { appVersion } : {}),
    ...(onErrorModule ? { onErrorModule } : {}),
  };
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

export function cloudWatchFromEnv(env: Env): CloudWatchOptions | undefined {
  const logGroupName = readVar(env, 'CLOUDWATCH_LOG_GROUP');
  if (logGroupName === undefined) return undefined;
  const stream = readVar(env, 'CLOUDWATCH_LOG_STREAM');
  const scope = readVar(env, 'CLOUDWATCH_SCOPE');
  const level = readVar(env, 'LOG_LEVEL_CLOUDWATCH');
  const createGroup = readVar(env, 'CLOUDWATCH_CREATE_GROUP');
  const retention = readVar(env, 'CLOUDWATCH_RETENTION_DAYS');
  return {
    logGroupName,
    ...(stream ? { logStreamName: stream } : {}),
    ...(scope ? { scope: parseScope(scope) } : {}),
    ...(level ? { level: parseSinkLevel('LOG_LEVEL_CLOUDWATCH', level) } : {}),
    ...(createGroup ? { createGroup: parseBoolean('CLOUDWATCH_CREATE_GROUP', createGroup) } : {}),
    ...(retention ? { retentionDays: parseRetention(retention) } : {}),
  };
}

const SCOPE = oneOf<CloudWatchScope>(
  ['transactional', 'all'],
  'use transactional (the audit channel only) or all (every line at LOG_LEVEL_CLOUDWATCH)',
);

function parseScope(raw: string): CloudWatchScope {
  return SCOPE('CLOUDWATCH_SCOPE', raw);
}

function parseRetention(raw: unknown, name = 'CLOUDWATCH_RETENTION_DAYS'): number {
  // Text only from the environment: from code, the option is a number.
  const text = fromEnvironment(name) && typeof raw === 'string';
  const value = typeof raw === 'number' ? raw : text && /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(value)) {
    const shownAs = typeof raw === 'number' || text ? 'value' : 'type';
    const days = `use one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`;
    throw new LogferryConfigError(name, raw, shownAs === 'type' ? `${days} (a number)` : days, shownAs);
  }
  return value;
}

/** host-pid-start: unique per process, and free of the ':' and '*' CloudWatch refuses in stream names. */
export function defaultStreamName(startedAt = new Date()): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return `${hostname()}-${process.pid}-${stamp}`.slice(0, 512);
}

export function resolveCloudWatch(options: CloudWatchOptions, source: SettingSource = 'code'): ResolvedCloudWatch {
  const { logGroupName } = options;
  if (typeof logGroupName !== 'string' || !GROUP_NAME.test(logGroupName)) {
    const name = source === 'env' ? 'CLOUDWATCH_LOG_GROUP' : 'cloudwatch.logGroupName';
    const shownAs = typeof logGroupName === 'string' ? 'value' : 'type';
    throw new LogferryConfigError(name, logGroupName, 'use 1-512 characters of letters, digits and . - _ / #', shownAs);
  }
  const logStreamName = options.logStreamName ?? defaultStreamName();
  if (typeof logStreamName !== 'string' || !STREAM_NAME.test(logStreamName)) {
    const name = source === 'env' ? 'CLOUDWATCH_LOG_STREAM' : 'cloudwatch.logStreamName';
    const shownAs = typeof logStreamName === 'string' ? 'value' : 'type';
    throw new LogferryConfigError(name, logStreamName, "use 1-512 characters without ':' or '*'", shownAs);
  }
  const retentionDays = optional('cloudwatch.retentionDays', options.retentionDays, (name, raw) => parseRetention(raw, name));
  const region = optional('cloudwatch.region', options.region, text(64));
  const maxEventBytes = parseWholeNumber('cloudwatch.maxEventBytes', options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, {
    min: MIN_MAX_EVENT_BYTES,
    max: DEFAULT_MAX_EVENT_BYTES,
  });
  const flushIntervalMs = parseWholeNumber('cloudwatch.flushIntervalMs', options.flushIntervalMs ?? 1000, { min: 1, max: 60_000 });
  // The queue is one Buffer in the worker, addressed with 32-bit offsets.
  const maxQueueBytes = parseWholeNumber('cloudwatch.maxQueueBytes', options.maxQueueBytes ?? 32 * 1024 * 1024, {
    min: 2 * MAX_BATCH_BYTES,
    max: MAX_QUEUE_BYTES,
    minNote: 'two full batches',
    maxNote: '1 GiB',
  });
  return {
    logGroupName: options.logGroupName,
    logStreamName,
    scope: optional('cloudwatch.scope', options.scope, SCOPE) ?? 'transactional',
    level: optional('cloudwatch.level', options.level, parseSinkLevel) ?? 'info',
    createGroup: optional('cloudwatch.createGroup', options.createGroup, parseBoolean) ?? true,
    maxEventBytes,
    flushIntervalMs,
    maxQueueBytes,
    // 0 would turn off both of the SDK's timeouts, and an attempt could then wait for ever.
    requestTimeoutMs: REQUEST_TIMEOUT('cloudwatch.requestTimeoutMs', options.requestTimeoutMs ?? 10_000),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: parseHttpUrl('cloudwatch.endpoint', options.endpoint) } : {}),
  };
}
