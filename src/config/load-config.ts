import { isatty } from 'node:tty';
import { LogferryConfigError } from '../errors.js';
import { type LevelSpec, parseLevel, parseLevelSpec } from '../levels/level-spec.js';
import type { LogferryOptions, LogLevel, LogSerializer, Profile } from '../options.js';
import { DEFAULT_REDACT_KEYS, normalizeKey } from '../redact/secret-keys.js';
import type { ResolvedBugsnag, ResolvedCloudWatch } from '../wire/sink-options.js';
import {
  BUGSNAG_OPTION_KEYS,
  CLOUDWATCH_OPTION_KEYS,
  CONSOLE_OPTION_KEYS,
  LOGFERRY_OPTION_KEYS,
  REDACT_OPTION_KEYS,
} from './option-keys.js';
import { resolvePassThrough } from './pass-through.js';
import {
  checkKnownKeys,
  type Env,
  oneOf,
  optional,
  parseBoolean,
  parseOptionsObject,
  parseStringList,
  readVar,
  resolveSetting,
  type WholeNumberRange,
  wholeNumber,
} from './read-setting.js';
import { resolveBugsnag, resolveCloudWatch } from './sink-settings.js';
import { type ResolvedSpool, resolveSpool } from './spool-settings.js';

/** Everything the root logger is built from: validated once, at start-up. */
export interface Config {
  profile: Profile;
  /** The raw NODE_ENV (when unset: `production` on AWS Lambda, else `development`); Bugsnag's default release stage. */
  nodeEnv: string;
  levels: LevelSpec & { root: LogLevel };
  console: { level: LogLevel | undefined; pretty: boolean; colorize: boolean } | null;
  bugsnag: ResolvedBugsnag | null;
  cloudwatch: ResolvedCloudWatch | null;
  /** The CloudWatch sink's on-disk spool (docs/spool.md); null when off. */
  spool: ResolvedSpool | null;
  /** Normalized key names censored at any depth. */
  redactKeys: string[];
  exitTimeoutMs: number;
  maxAppBacklogBytes: number;
  /** Lines longer than this (UTF-8 bytes) are fitted to it before they cross to the worker. */
  maxLineBytes: number;
  captureUncaught: boolean;
  handleSignals: boolean;
  /** One line each for optional sinks that are off, printed once on stderr at start-up. */
  notices: string[];
  /** pino's `base`; undefined keeps pino's default (`pid`, `hostname`). */
  base: Record<string, unknown> | null | undefined;
  serializers: Record<string, LogSerializer>;
}

function profileOf(nodeEnv: string): Profile {
  if (nodeEnv === 'development') return 'development';
  if (nodeEnv === 'test') return 'test';
  return 'production';
}

// Lambda functions rarely set NODE_ENV, and CloudWatch stores each line of pretty output as an
// event of its own: on Lambda an unset NODE_ENV means production (JSON at info), as Powertools does.
function defaultNodeEnv(env: Env): string {
  return readVar(env, 'AWS_LAMBDA_FUNCTION_NAME') === undefined ? 'development' : 'production';
}

const DEFAULT_ROOT_LEVEL: Record<Profile, LogLevel> = { development: 'debug', test: 'silent', production: 'info' };

/**
 * Reads the environment and the options (configureLogging()'s calls, merged) into a validated Config,
 * each setting from code when given there, else its variable, else its default; throws LogferryConfigError.
 */
export function loadConfig(env: Env = process.env, options: LogferryOptions = {}): Config {
  if (parseOptionsObject('options', options) === undefined) options = {};
  checkKnownKeys('options', options, LOGFERRY_OPTION_KEYS);
  const nodeEnv = readVar(env, 'NODE_ENV') ?? defaultNodeEnv(env);
  const profile = optional('profile', options.profile, oneOf(PROFILES)) ?? profileOf(nodeEnv);
  const notices: string[] = [];

  const spec = resolveSetting(env, { option: 'level', env: 'LOG_LEVEL' }, options.level, levelSpec, { root: undefined, modules: [] });
  const levels = { ...spec, root: spec.root ?? DEFAULT_ROOT_LEVEL[profile] };

  checkSinkOption('bugsnag', options.bugsnag, BUGSNAG_OPTION_KEYS);
  checkSinkOption('cloudwatch', options.cloudwatch, CLOUDWATCH_OPTION_KEYS);
  checkSinkOption('console', options.console, CONSOLE_OPTION_KEYS);
  // The spool's own keys are read by src/config/spool-settings.ts; a spool that is not an object is refused here.
  if (options.spool !== false) parseOptionsObject('spool', options.spool);
  // Each sink's keys come from code and the environment alike; `false` turns the sink off. Every
  // value is checked in every profile, and the test profile then runs no network sink at all.
  const bugsnagSettings = options.bugsnag === false ? null : resolveBugsnag(env, options.bugsnag, nodeEnv);
  const cloudwatchSettings = options.cloudwatch === false ? null : resolveCloudWatch(env, options.cloudwatch);
  const network = profile !== 'test';
  const bugsnag = network ? bugsnagSettings : null;
  const cloudwatch = network ? cloudwatchSettings : null;
  if (profile === 'production' && bugsnag === null && options.bugsnag !== false) {
    notices.push(
      'logferry: Bugsnag sink is off: BUGSNAG_API_KEY is not set (set it, or bugsnag.apiKey in configureLogging(), to report warn and above to Bugsnag)',
    );
  }
  if (profile === 'production' && cloudwatch === null && options.cloudwatch !== false) {
    notices.push(
      'logferry: CloudWatch sink is off: CLOUDWATCH_LOG_GROUP is not set (set it, or cloudwatch.logGroupName in configureLogging(), to ship the transactional channel)',
    );
  }

  // Checked whether or not CloudWatch is on; used only when it is.
  const spool = resolveSpool(env, options.spool);
  return {
    profile,
    nodeEnv,
    levels,
    console: options.console === false ? null : resolveConsole(env, profile, options),
    bugsnag,
    cloudwatch,
    spool: cloudwatch ? spool : null,
    redactKeys: resolveRedactKeys(options),
    exitTimeoutMs: resolveSetting(env, { option: 'exitTimeoutMs', env: 'LOG_EXIT_TIMEOUT_MS' }, options.exitTimeoutMs, EXIT_TIMEOUT, 5000),
    maxAppBacklogBytes: resolveSetting(
      env,
      APP_BACKLOG,
      options.maxAppBacklogBytes,
      wholeNumber(APP_BACKLOG_RANGE),
      DEFAULT_APP_BACKLOG_BYTES,
    ),
    maxLineBytes: resolveSetting(env, LINE_BYTES, options.maxLineBytes, wholeNumber(LINE_RANGE), DEFAULT_LINE_BYTES),
    captureUncaught: optional('captureUncaught', options.captureUncaught, parseBoolean) ?? profile === 'production',
    handleSignals: optional('handleSignals', options.handleSignals, parseBoolean) ?? true,
    notices,
    ...resolvePassThrough(options),
  };
}

const PROFILES: readonly Profile[] = ['development', 'test', 'production'];

/** A sink's options: an object of known keys, false (off), or absent. */
function checkSinkOption(name: string, value: unknown, known: Readonly<Record<string, true>>): void {
  if (value === false) return;
  const object = parseOptionsObject(name, value);
  if (object) checkKnownKeys(name, object, known);
}

function levelSpec(name: string, raw: unknown): LevelSpec {
  if (typeof raw !== 'string')
    throw new LogferryConfigError(name, raw, 'use a level name, or a LOG_LEVEL-style string such as info,db=debug', 'type');
  return parseLevelSpec(name, raw);
}

function resolveConsole(env: Env, profile: Profile, options: LogferryOptions): Config['console'] {
  const consoleOptions = options.console || {};
  const pretty = resolveSetting(
    env,
    { option: 'console.pretty', env: 'LOG_PRETTY' },
    consoleOptions.pretty,
    parseBoolean,
    profile === 'development',
  );
  return {
    level: resolveSetting<LogLevel | undefined>(
      env,
      { option: 'console.level', env: 'LOG_LEVEL_CONSOLE' },
      consoleOptions.level,
      parseLevel,
      undefined,
    ),
    pretty,
    colorize: pretty && isatty(1) && readVar(env, 'NO_COLOR') === undefined,
  };
}

const EXIT_TIMEOUT = wholeNumber({ min: 1, max: 600_000, unit: 'milliseconds', maxNote: '10 minutes' });

const MiB = 1024 * 1024;
// thread-stream itself hands over synchronously at Node's string limit (~512 MiB); below 1 MiB
// a service's ordinary bursts would wait on the worker.
const APP_BACKLOG_RANGE: WholeNumberRange = { min: MiB, max: 512 * MiB, unit: 'bytes', minNote: '1 MiB', maxNote: '512 MiB' };
const APP_BACKLOG = { option: 'maxAppBacklogBytes', env: 'LOG_MAX_APP_BACKLOG_BYTES' };
const DEFAULT_APP_BACKLOG_BYTES = 64 * MiB;

// Below 4 KiB a fitted line has no room for its message and fields; above 64 MiB one line
// would hold the app's thread for a noticeable time whatever the sink.
const LINE_RANGE: WholeNumberRange = { min: 4096, max: 64 * MiB, unit: 'bytes', minNote: '4 KiB', maxNote: '64 MiB' };
const LINE_BYTES = { option: 'maxLineBytes', env: 'LOG_MAX_LINE_BYTES' };
const DEFAULT_LINE_BYTES = MiB;

function resolveRedactKeys(options: LogferryOptions): string[] {
  const redact = parseOptionsObject('redact', options.redact);
  if (redact) checkKnownKeys('redact', redact, REDACT_OPTION_KEYS);
  const allow = new Set((optional('redact.allow', options.redact?.allow, parseStringList) ?? []).map(normalizeKey));
  const keys = new Set([
    ...DEFAULT_REDACT_KEYS,
    ...(optional('redact.keys', options.redact?.keys, parseStringList) ?? []).map(normalizeKey),
  ]);
  return [...keys].filter((key) => key !== '' && !allow.has(key));
}
