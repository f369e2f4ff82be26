import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { type Config, loadConfig } from '../src/config/load-config.js';
import { mergeOptions } from '../src/config/merge-options.js';
import {
  BUGSNAG_ENDPOINT_KEYS,
  BUGSNAG_OPTION_KEYS,
  CLOUDWATCH_OPTION_KEYS,
  CONSOLE_OPTION_KEYS,
  LOGFERRY_OPTION_KEYS,
  REDACT_OPTION_KEYS,
  SPOOL_OPTION_KEYS,
} from '../src/config/option-keys.js';
import { LogferryConfigError } from '../src/errors.js';
import type { LogferryOptions } from '../src/options.js';
import { onlyCode, type PrecedenceRow, precedenceRows } from './support/precedence-table.js';

// The precedence table in docs/operations.md, held to the code, and the matrix built from it:
// for every option, its variable alone, code alone, both (code wins), its sink on from the
// environment with the option in code, and two configureLogging() calls (merged as
// configureLogging merges them). Real sinks get one line each in config-precedence-sinks.test.ts.

const KEY = '0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'fedcba9876543210fedcba9876543210';
const BASE = { NODE_ENV: 'production' };
const rows = precedenceRows();

/** How one option is tried: a value for its variable, two for code, and where the Config holds it. */
interface OptionCase {
  get: (config: Config) => unknown;
  env?: string;
  /** What `env` resolves to, when not the text itself. */
  fromEnv?: unknown;
  code: unknown;
  code2: unknown;
  /** What `code` and `code2` resolve to, when not the values themselves. */
  fromCode?: unknown;
  fromCode2?: unknown;
}

const CASES: Record<string, OptionCase> = {
  profile: { get: (c) => c.profile, env: 'test', code: 'development', code2: 'test' },
  level: {
    get: (c) => c.levels,
    env: 'warn,db=debug',
    fromEnv: { root: 'warn', modules: [{ module: 'db', level: 'debug' }] },
    code: 'error',
    fromCode: { root: 'error', modules: [] },
    code2: 'info,http=trace',
    fromCode2: { root: 'info', modules: [{ module: 'http', level: 'trace' }] },
  },
  'console.level': { get: (c) => c.console?.level, env: 'warn', code: 'error', code2: 'debug' },
  'console.pretty': { get: (c) => c.console?.pretty, env: '1', fromEnv: true, code: true, code2: false },
  'bugsnag.apiKey': { get: (c) => c.bugsnag?.apiKey, env: 'abcdefabcdefabcdefabcdefabcdefab', code: OTHER_KEY, code2: KEY },
  'bugsnag.releaseStage': { get: (c) => c.bugsnag?.releaseStage, env: 'staging', code: 'canary', code2: 'beta' },
  'bugsnag.appVersion': { get: (c) => c.bugsnag?.appVersion, env: '1.0.0', code: '2.0.0', code2: '3.0.0' },
  'bugsnag.level': { get: (c) => c.bugsnag?.level, env: 'error', code: 'fatal', code2: 'info' },
  'bugsnag.endpoints.notify': {
    // Both or neither: each case gives `sessions` from the other source (see withPartner).
    get: (c) => c.bugsnag?.endpoints?.notify,
    env: 'http://127.0.0.1:1/env',
    code: 'http://127.0.0.1:2/code',
    code2: 'http://127.0.0.1:3/code2',
  },
  'bugsnag.endpoints.sessions': {
    get: (c) => c.bugsnag?.endpoints?.sessions,
    env: 'http://127.0.0.1:1/env',
    code: 'http://127.0.0.1:2/code',
    code2: 'http://127.0.0.1:3/code2',
  },
  'bugsnag.rules': {
    get: (c) => c.bugsnag?.rules,
    code: [{ errorClass: 'A', ignore: true }],
    code2: [{ messageMatches: 'b', severity: 'info' }],
  },
  'bugsnag.onErrorModule': { get: (c) => c.bugsnag?.onErrorModule, code: '/srv/a.mjs', code2: '/srv/b.mjs' },
  'bugsnag.maxBreadcrumbs': { get: (c) => c.bugsnag?.maxBreadcrumbs, code: 5, code2: 0 },
  'bugsnag.maxEventsPerMinutePerGroup': { get: (c) => c.bugsnag?.maxEventsPerMinutePerGroup, code: 3, code2: 50 },
  'bugsnag.maxQueuedEvents': { get: (c) => c.bugsnag?.maxQueuedEvents, code: 10, code2: 20 },
  'bugsnag.requestTimeoutMs': { get: (c) => c.bugsnag?.requestTimeoutMs, code: 2000, code2: 3000 },
  'cloudwatch.logGroupName': { get: (c) => c.cloudwatch?.logGroupName, env: '/env/group', code: '/code/group', code2: '/code2/group' },
  'cloudwatch.logStreamName': { get: (c) => c.cloudwatch?.logStreamName, env: 'env-stream', code: 'code-stream', code2: 'code2-stream' },
  'cloudwatch.scope': { get: (c) => c.cloudwatch?.scope, env: 'all', code: 'all', code2: 'transactional' },
  'cloudwatch.level': { get: (c) => c.cloudwatch?.level, env: 'warn', code: 'debug', code2: 'error' },
  'cloudwatch.createGroup': { get: (c) => c.cloudwatch?.createGroup, env: 'no', fromEnv: false, code: false, code2: true },
  'cloudwatch.retentionDays': { get: (c) => c.cloudwatch?.retentionDays, env: '14', fromEnv: 14, code: 30, code2: 90 },
  'cloudwatch.region': { get: (c) => c.cloudwatch?.region, code: 'eu-west-1', code2: 'us-east-2' },
  'cloudwatch.endpoint': { get: (c) => c.cloudwatch?.endpoint, code: 'http://127.0.0.1:4/', code2: 'http://127.0.0.1:5/' },
  'cloudwatch.maxEventBytes': { get: (c) => c.cloudwatch?.maxEventBytes, code: 262_118, code2: 4096 },
  'cloudwatch.flushIntervalMs': { get: (c) => c.cloudwatch?.flushIntervalMs, code: 200, code2: 5000 },
  'cloudwatch.maxQueueBytes': { get: (c) => c.cloudwatch?.maxQueueBytes, code: 4 * 1024 * 1024, code2: 8 * 1024 * 1024 },
  'cloudwatch.requestTimeoutMs': { get: (c) => c.cloudwatch?.requestTimeoutMs, code: 2000, code2: 4000 },
  'redact.keys': {
    get: (c) => ['ssn', 'pin'].filter((key) => c.redactKeys.includes(key)),
    code: ['ssn'],
    code2: ['pin'],
    fromCode: ['ssn'],
    // The lists add up across calls: the second call never stops censoring `ssn`.
    fromCode2: ['ssn', 'pin'],
  },
  'redact.allow': {
    get: (c) => ['password', 'token'].filter((key) => !c.redactKeys.includes(key)),
    code: ['password'],
    code2: ['token'],
    fromCode: ['password'],
    fromCode2: ['password', 'token'],
  },
  'spool.dir': { get: (c) => c.spool?.dir, env: '/tmp/env-spool', code: '/tmp/code-spool', code2: '/tmp/code2-spool' },
  'spool.maxBytes': { get: (c) => c.spool?.maxBytes, env: '2097152', fromEnv: 2_097_152, code: 4_194_304, code2: 8_388_608 },
  'spool.fsync': { get: (c) => c.spool?.fsync, env: 'yes', fromEnv: true, code: true, code2: false },
  LOG_SPOOL_RESCAN_MS: { get: (c) => c.spool?.rescanMs, env: '500', fromEnv: 500, code: undefined, code2: undefined },
  exitTimeoutMs: { get: (c) => c.exitTimeoutMs, env: '9000', fromEnv: 9000, code: 1000, code2: 2000 },
  maxAppBacklogBytes: { get: (c) => c.maxAppBacklogBytes, env: '2097152', fromEnv: 2_097_152, code: 4_194_304, code2: 1_048_576 },
  maxLineBytes: { get: (c) => c.maxLineBytes, env: '8192', fromEnv: 8192, code: 16_384, code2: 4096 },
  captureUncaught: { get: (c) => c.captureUncaught, code: false, code2: true },
  handleSignals: { get: (c) => c.handleSignals, code: false, code2: true },
  base: { get: (c) => c.base, code: { service: 'api' }, code2: null },
  serializers: {
    get: (c) => Object.keys(c.serializers),
    code: { user: (user: unknown) => user },
    fromCode: ['user'],
    // Objects merge: the second call's serializer joins the first's.
    code2: { account: (account: unknown) => account },
    fromCode2: ['user', 'account'],
  },
};

/** The objects whose rows are checked in their own tests below, not in the matrix. */
const CONTAINERS = new Set(['console', 'bugsnag', 'cloudwatch', 'redact', 'spool', 'bugsnag.endpoints']);

function caseKey(row: PrecedenceRow): string {
  return row.option ?? (row.variable as string);
}

/** The object an option path names, holding `value` (`bugsnag.endpoints.notify` → nested objects). */
function atPath(path: string, value: unknown): LogferryOptions {
  const parts = path.split('.');
  let out: unknown = value;
  for (let i = parts.length - 1; i >= 0; i--) out = { [parts[i] as string]: out };
  return out as LogferryOptions;
}

/** What turns an option's object on from the environment, and from code. */
function sinkOf(path: string): { env: Record<string, string>; code: LogferryOptions; other?: [string, string, (c: Config) => unknown] } {
  if (path.startsWith('bugsnag.')) {
    return {
      env: { BUGSNAG_API_KEY: KEY },
      code: { bugsnag: { apiKey: KEY } },
      other: ['APP_VERSION', '7.7.7', (c) => c.bugsnag?.appVersion],
    };
  }
  if (path.startsWith('cloudwatch.')) {
    return {
      env: { CLOUDWATCH_LOG_GROUP: '/g' },
      code: { cloudwatch: { logGroupName: '/g' } },
      other: ['CLOUDWATCH_LOG_STREAM', 'env-stream-7', (c) => c.cloudwatch?.logStreamName],
    };
  }
  if (path.startsWith('spool.') || path === 'LOG_SPOOL_RESCAN_MS') {
    return {
      env: { CLOUDWATCH_LOG_GROUP: '/g', LOG_SPOOL_DIR: '/tmp/s' },
      code: { cloudwatch: { logGroupName: '/g' }, spool: { dir: '/tmp/s' } },
      other: ['LOG_SPOOL_MAX_BYTES', '3145728', (c) => c.spool?.maxBytes],
    };
  }
  if (path.startsWith('console.')) return { env: {}, code: {}, other: ['LOG_LEVEL_CONSOLE', 'fatal', (c) => c.console?.level] };
  return { env: {}, code: {} };
}

/** An endpoint is given with its partner, from the other source, so every case is "both or neither". */
function withPartner(path: string, env: Record<string, string>, options: LogferryOptions): [Record<string, string>, LogferryOptions] {
  if (path === 'bugsnag.endpoints.notify') return [{ BUGSNAG_ENDPOINT_SESSIONS: 'http://127.0.0.1:9/s', ...env }, options];
  if (path === 'bugsnag.endpoints.sessions') return [{ BUGSNAG_ENDPOINT_NOTIFY: 'http://127.0.0.1:9/n', ...env }, options];
  return [env, options];
}

function resolved(path: string, env: Record<string, string>, ...calls: LogferryOptions[]): unknown {
  const options = calls.reduce((merged, call) => mergeOptions(merged, call), {} as LogferryOptions);
  const [fullEnv, fullOptions] = withPartner(path, { ...BASE, ...env }, options);
  return (CASES[path] as OptionCase).get(loadConfig(fullEnv, fullOptions));
}

describe('docs/operations.md: the precedence table matches the code', () => {
  it('has a row for every option in src/config/option-keys.ts, and no other', () => {
    const nested: Record<string, Readonly<Record<string, true>>> = {
      console: CONSOLE_OPTION_KEYS,
      bugsnag: BUGSNAG_OPTION_KEYS,
      'bugsnag.endpoints': BUGSNAG_ENDPOINT_KEYS,
      cloudwatch: CLOUDWATCH_OPTION_KEYS,
      redact: REDACT_OPTION_KEYS,
      spool: SPOOL_OPTION_KEYS,
    };
    const expected = Object.keys(LOGFERRY_OPTION_KEYS);
    for (const [parent, keys] of Object.entries(nested)) expected.push(...Object.keys(keys).map((key) => `${parent}.${key}`));
    const documented = rows.flatMap((row) => (row.option ? [row.option] : []));
    assert.deepEqual([...documented].sort(), [...new Set(expected)].sort());
  });

  it('names every variable src/config/ reads', () => {
    const projectRoot = resolve(__dirname, '..', '..');
    const dir = join(projectRoot, 'src', 'config');
    const read = new Set<string>();
    for (const file of readdirSync(dir)) {
      for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})'/g))
        read.add(match[1] as string);
    }
    // Not settings of logferry's own: the platform (AWS Lambda) and the NO_COLOR convention, in the README.
    for (const other of ['AWS_LAMBDA_FUNCTION_NAME', 'NO_COLOR']) read.delete(other);
    const documented = new Set(rows.flatMap((row) => (row.variable ? [row.variable] : [])));
    assert.deepEqual([...read].filter((name) => !documented.has(name)).sort(), []);
    assert.ok(read.size >= 20, [...read].join());
  });

  it('every row but an object of options has its cases in this file, and every case its row', () => {
    const keys = rows.filter((row) => !CONTAINERS.has(row.option ?? '')).map(caseKey);
    assert.deepEqual([...keys].sort(), Object.keys(CASES).sort());
  });

  for (const row of rows.filter((r) => !CONTAINERS.has(r.option ?? '') && r.option !== 'profile')) {
    const path = caseKey(row);
    const sink = sinkOf(path);
    const number = /^\d+$/.test(row.defaultCell) ? Number(row.defaultCell) : undefined;
    const token = onlyCode(row.defaultCell);
    if (number !== undefined || (token !== undefined && !token.includes('<'))) {
      it(`${path}: resolves to the documented default ${row.defaultCell}`, () => {
        const value = resolved(path, sink.env);
        assert.equal(number !== undefined ? value : String(value), number ?? token);
      });
    }
    const length = /^(\d+) to (\d+) (?:characters|of letters)/.exec(row.rangeCell);
    if (length && row.option) {
      it(`${path}: takes ${length[1]} to ${length[2]} characters, and refuses one more or one fewer`, () => {
        const [min, max] = [Number(length[1]), Number(length[2])];
        const attempt = (chars: number) => resolved(path, sink.env, sink.code, atPath(path, 'a'.repeat(chars)));
        assert.equal(attempt(min), 'a'.repeat(min));
        assert.equal(attempt(max), 'a'.repeat(max));
        assert.throws(() => attempt(min - 1), LogferryConfigError);
        assert.throws(() => attempt(max + 1), LogferryConfigError);
      });
    }
    const range = /^(\d+) to (\d+)$/.exec(row.rangeCell);
    if (range) {
      it(`${path}: takes ${row.rangeCell}, and refuses a number either side`, () => {
        const [min, max] = [Number(range[1]), Number(range[2])];
        // An option from code; the one variable with no option from the environment.
        const attempt = (value: number) =>
          row.option ? resolved(path, sink.env, atPath(path, value)) : resolved(path, { ...sink.env, [path]: String(value) });
        assert.equal(attempt(min), min);
        assert.equal(attempt(max), max);
        assert.throws(() => attempt(min - 1), LogferryConfigError);
        assert.throws(() => attempt(max + 1), LogferryConfigError);
      });
    }
  }
});

describe('every option, five ways: env, code, both, sink on from env with code, two calls', () => {
  for (const row of rows.filter((r) => !CONTAINERS.has(r.option ?? ''))) {
    const path = caseKey(row);
    const c = CASES[path] as OptionCase;
    const sink = sinkOf(path);
    const variable = row.variable;
    const fromEnv = c.fromEnv !== undefined ? c.fromEnv : c.env;
    const fromCode = c.fromCode !== undefined ? c.fromCode : c.code;
    const fromCode2 = c.fromCode2 !== undefined ? c.fromCode2 : c.code2;

    if (variable !== undefined) {
      it(`${path}: ${variable} alone`, () => {
        assert.deepEqual(resolved(path, { ...sink.env, [variable]: c.env as string }), fromEnv);
      });
    }
    if (row.option === undefined) continue;
    const option = row.option;

    it(`${path}: code alone`, () => {
      assert.deepEqual(resolved(path, {}, sink.code, atPath(option, c.code)), fromCode);
    });

    if (variable !== undefined) {
      it(`${path}: ${variable} and code: code wins`, () => {
        assert.deepEqual(resolved(path, { ...sink.env, [variable]: c.env as string }, sink.code, atPath(option, c.code)), fromCode);
      });
    }

    if (sink.other) {
      const [otherVariable, otherValue, otherGet] = sink.other;
      it(`${path}: its sink on from the environment, this key in code, ${otherVariable} still applies`, () => {
        const env = { ...BASE, ...sink.env, [otherVariable]: otherValue };
        const [fullEnv, options] = withPartner(path, env, atPath(option, c.code));
        const config = loadConfig(fullEnv, options);
        assert.deepEqual(c.get(config), fromCode);
        if (otherVariable !== variable) assert.equal(String(otherGet(config)), otherValue);
      });
    }

    // A second call about something else.
    const filler: LogferryOptions = path === 'handleSignals' ? { exitTimeoutMs: 4321 } : { handleSignals: true };
    it(`${path}: two configureLogging calls: the second's value wins, a call without it keeps the first's`, () => {
      assert.deepEqual(resolved(path, sink.env, atPath(option, c.code), atPath(option, c.code2)), fromCode2);
      assert.deepEqual(resolved(path, sink.env, atPath(option, c.code), atPath(option, undefined), filler), fromCode);
    });
  }
});

describe('the rows that are objects of options: false turns them off, an object merges', () => {
  const ON = { ...BASE, BUGSNAG_API_KEY: KEY, CLOUDWATCH_LOG_GROUP: '/g', LOG_SPOOL_DIR: '/tmp/s' };

  it('has a test here for every such row of the table', () => {
    const documented = rows.flatMap((row) => (row.option && CONTAINERS.has(row.option) ? [row.option] : []));
    assert.deepEqual(documented.sort(), [...CONTAINERS].sort());
  });

  it('console, bugsnag, cloudwatch, spool: false turns each off whatever the environment says', () => {
    const config = loadConfig(ON, { console: false, bugsnag: false, cloudwatch: false, spool: false });
    assert.deepEqual([config.console, config.bugsnag, config.cloudwatch, config.spool], [null, null, null, null]);
    const on = loadConfig(ON);
    assert.ok(on.console && on.bugsnag && on.cloudwatch && on.spool);
  });

  it('bugsnag.endpoints and redact: an object merges with what the environment and earlier calls gave', () => {
    const env = { ...ON, BUGSNAG_ENDPOINT_NOTIFY: 'http://127.0.0.1:1/n', BUGSNAG_ENDPOINT_SESSIONS: 'http://127.0.0.1:1/s' };
    const endpoints = loadConfig(env, { bugsnag: { endpoints: { sessions: 'http://127.0.0.1:2/s' } } }).bugsnag?.endpoints;
    assert.deepEqual(endpoints, { notify: 'http://127.0.0.1:1/n', sessions: 'http://127.0.0.1:2/s' });
    const redact = mergeOptions({ redact: { keys: ['ssn'] } }, { redact: {} });
    assert.ok(loadConfig(BASE, redact).redactKeys.includes('ssn'));
  });
});
