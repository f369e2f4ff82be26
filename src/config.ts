import { isatty } from 'node:tty';
import {
  bugsnagFromEnv,
  cloudWatchFromEnv,
  type ResolvedBugsnag,
  type ResolvedCloudWatch,
  resolveBugsnag,
  resolveCloudWatch,
} from './config-sinks.js';
import { type LevelSpec, parseLevelSpec, parseSinkLevel } from './levels.js';
import type { LogSerializer } from './log-formatter.js';
import type { LogferryOptions, LogLevel, Profile } from './options.js';
import { type Env, parseBoolean, parsePositiveInteger, parseWholeNumber, readVar, type WholeNumberRange } from './parse-env.js';
import { resolvePassThrough } from './pass-through.js';
import { DEFAULT_REDACT_KEYS, normalizeKey } from './redact-keys.js';

/** Everything the root logger is built from: validated once, at start-up. */
export interface Config {
  profile: Profile;
  /** The raw NODE_ENV (or `development`); Bugsnag's default release stage. */
  nodeEnv: string;
  levels: LevelSpec & { root: LogLevel };
  console: { level: LogLevel | undefined; pretty: boolean; colorize: boolean } | null;
  bugsnag: ResolvedBugsnag | null;
  cloudwatch: ResolvedCloudWatch | null;
  /** Normalized key names censored at any depth. */
  redactKeys: string[];
  exitTimeoutMs: number;
  maxAppBacklogBytes: number;
  captureUncaught: boolean;
  handleSignals: boolean;
  /** One line each for optional sinks that are off, printed once on stderr at start-up. */
  notices: string[];
  /** pino's `base`; undefined keeps pino's default (`pid`, `hostname`). */
  base: Record<string, unknown> | null | undefined;
  serializers: Record<string, LogSerializer>;
}

function profileOf(nodeEnv: string | undefined): Profile {
  if (nodeEnv === undefined || nodeEnv === 'development') return 'development';
  if (nodeEnv === 'test') return 'test';
  return 'production';
}

const DEFAULT_ROOT_LEVEL: Record<Profile, LogLevel> = { development: 'debug', test: 'silent', production: 'info' };

/** Reads the environment (and options that override it) into a validated Config; throws LogferryConfigError. */
export function loadConfig(env: Env = process.env, options: LogferryOptions = {}): Config {
  const nodeEnv = readVar(env, 'NODE_ENV') ?? 'development';
  const profile = options.profile ?? profileOf(readVar(env, 'NODE_ENV'));
  const notices: string[] = [];

  const levelSource = options.level ?? readVar(env, 'LOG_LEVEL');
  const spec = levelSource === undefined ? { root: undefined, modules: [] } : parseLevelSpec('LOG_LEVEL', levelSource);
  const levels = { ...spec, root: spec.root ?? DEFAULT_ROOT_LEVEL[profile] };

  const network = profile !== 'test';
  const bugsnagOptions = options.bugsnag === false ? undefined : (options.bugsnag ?? (network ? bugsnagFromEnv(env, nodeEnv) : undefined));
  const cloudwatchOptions =
    options.cloudwatch === false ? undefined : (options.cloudwatch ?? (network ? cloudWatchFromEnv(env) : undefined));
  if (profile === 'production' && bugsnagOptions === undefined && options.bugsnag !== false) {
    notices.push('logferry: Bugsnag sink is off: BUGSNAG_API_KEY is not set (set it to report warn and above to Bugsnag)');
  }
  if (profile === 'production' && cloudwatchOptions === undefined && options.cloudwatch !== false) {
    notices.push('logferry: CloudWatch sink is off: CLOUDWATCH_LOG_GROUP is not set (set it to ship the transactional channel)');
  }

  return {
    profile,
    nodeEnv,
    levels,
    console: options.console === false ? null : resolveConsole(env, profile, options),
    bugsnag: bugsnagOptions ? resolveBugsnag(bugsnagOptions, nodeEnv) : null,
    cloudwatch: cloudwatchOptions ? resolveCloudWatch(cloudwatchOptions) : null,
    redactKeys: resolveRedactKeys(options),
    exitTimeoutMs: options.exitTimeoutMs ?? exitTimeoutFromEnv(env),
    maxAppBacklogBytes: maxAppBacklogBytes(env, options),
    captureUncaught: options.captureUncaught ?? profile === 'production',
    handleSignals: options.handleSignals ?? true,
    notices,
    ...resolvePassThrough(options),
  };
}

function resolveConsole(env: Env, profile: Profile, options: LogferryOptions): Config['console'] {
  const consoleOptions = options.console || {};
  const rawLevel = readVar(env, 'LOG_LEVEL_CONSOLE');
  const rawPretty = readVar(env, 'LOG_PRETTY');
  const pretty = consoleOptions.pretty ?? (rawPretty ? parseBoolean('LOG_PRETTY', rawPretty) : profile === 'development');
  return {
    level: consoleOptions.level ?? (rawLevel ? parseSinkLevel('LOG_LEVEL_CONSOLE', rawLevel) : undefined),
    pretty,
    colorize: pretty && isatty(1) && readVar(env, 'NO_COLOR') === undefined,
  };
}

function exitTimeoutFromEnv(env: Env): number {
  const raw = readVar(env, 'LOG_EXIT_TIMEOUT_MS');
  return raw === undefined ? 5000 : parsePositiveInteger('LOG_EXIT_TIMEOUT_MS', raw, 600_000);
}

const MiB = 1024 * 1024;
// thread-stream itself hands over synchronously at Node's string limit (~512 MiB); below 1 MiB
// a service's ordinary bursts would wait on the worker.
const APP_BACKLOG_RANGE: WholeNumberRange = { min: MiB, max: 512 * MiB, unit: 'bytes', minNote: '1 MiB', maxNote: '512 MiB' };
const DEFAULT_APP_BACKLOG_BYTES = 64 * MiB;

function maxAppBacklogBytes(env: Env, options: LogferryOptions): number {
  if (options.maxAppBacklogBytes !== undefined)
    return parseWholeNumber('maxAppBacklogBytes', options.maxAppBacklogBytes, APP_BACKLOG_RANGE);
  const raw = readVar(env, 'LOG_MAX_APP_BACKLOG_BYTES');
  return raw === undefined ? DEFAULT_APP_BACKLOG_BYTES : parseWholeNumber('LOG_MAX_APP_BACKLOG_BYTES', raw, APP_BACKLOG_RANGE);
}

function resolveRedactKeys(options: LogferryOptions): string[] {
  const allow = new Set((options.redact?.allow ?? []).map(normalizeKey));
  const keys = new Set([...DEFAULT_REDACT_KEYS, ...(options.redact?.keys ?? []).map(normalizeKey)]);
  return [...keys].filter((key) => key !== '' && !allow.has(key));
}
