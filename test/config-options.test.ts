import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';
import { LogferryConfigError } from '../src/errors.js';
import { auditLevel } from '../src/levels/logger-levels.js';
import type { LogferryOptions } from '../src/options.js';

// Options given in code go through the same checks as the environment: a bad value fails at
// start with a LogferryConfigError that names the option and says what is accepted.
const KEY = '0123456789abcdef0123456789abcdef';
const PRODUCTION = { NODE_ENV: 'production' };

function assertRefused(options: unknown, option: string, accepted: RegExp, env: Record<string, string> = PRODUCTION): void {
  assert.throws(
    () => loadConfig(env, options as LogferryOptions),
    (error: unknown) => {
      assert.ok(error instanceof LogferryConfigError, String(error));
      assert.equal(error.variable, option);
      assert.ok(error.message.startsWith(`logferry: ${option}=`), error.message);
      assert.match(error.message, accepted);
      return true;
    },
  );
}

describe('options from code are checked like the environment', () => {
  const cloudwatch = (extra: Record<string, unknown>) => ({ cloudwatch: { logGroupName: 'g', ...extra } });
  const bugsnag = (extra: Record<string, unknown>) => ({ bugsnag: { apiKey: KEY, ...extra } });
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['exitTimeoutMs NaN', { exitTimeoutMs: Number.NaN }, 'exitTimeoutMs', /=NaN .*whole number of milliseconds from 1 to 600000/],
    ['exitTimeoutMs Infinity', { exitTimeoutMs: Number.POSITIVE_INFINITY }, 'exitTimeoutMs', /=Infinity /],
    ['exitTimeoutMs negative', { exitTimeoutMs: -1 }, 'exitTimeoutMs', /whole number/],
    ['exitTimeoutMs fraction', { exitTimeoutMs: 1.5 }, 'exitTimeoutMs', /whole number/],
    ['exitTimeoutMs string', { exitTimeoutMs: 'soon' }, 'exitTimeoutMs', /whole number/],
    ['cloudwatch.requestTimeoutMs 0', cloudwatch({ requestTimeoutMs: 0 }), 'cloudwatch.requestTimeoutMs', /from 100 to 300000/],
    ['cloudwatch.scope', cloudwatch({ scope: 'everything' }), 'cloudwatch.scope', /transactional.*all/],
    ['cloudwatch.level', cloudwatch({ level: 'loud' }), 'cloudwatch.level', /trace, debug/],
    ['cloudwatch.createGroup', cloudwatch({ createGroup: 'yes please' }), 'cloudwatch.createGroup', /true or false/],
    ['cloudwatch.retentionDays', cloudwatch({ retentionDays: 10 }), 'cloudwatch.retentionDays', /1, 3, 5, 7/],
    ['cloudwatch.endpoint', cloudwatch({ endpoint: 'localhost:4566' }), 'cloudwatch.endpoint', /http:\/\/ or https:\/\//],
    ['cloudwatch.logGroupName', { cloudwatch: { logGroupName: 42 } }, 'cloudwatch.logGroupName', /letters, digits/],
    ['cloudwatch.logStreamName', cloudwatch({ logStreamName: 'a:b' }), 'cloudwatch.logStreamName', /without ':'/],
    ['bugsnag.apiKey', { bugsnag: { apiKey: 'not-a-key' } }, 'bugsnag.apiKey', /32 hex characters/],
    ['bugsnag.requestTimeoutMs', bugsnag({ requestTimeoutMs: 0 }), 'bugsnag.requestTimeoutMs', /from 100 to 300000/],
    ['bugsnag.maxQueuedEvents', bugsnag({ maxQueuedEvents: Number.NaN }), 'bugsnag.maxQueuedEvents', /whole number from 1/],
    [
      'bugsnag.maxEventsPerMinutePerGroup',
      bugsnag({ maxEventsPerMinutePerGroup: -3 }),
      'bugsnag.maxEventsPerMinutePerGroup',
      /whole number/,
    ],
    ['bugsnag.level', bugsnag({ level: 'silent' }), 'bugsnag.level', /turn the sink off/],
    ['bugsnag.endpoints', bugsnag({ endpoints: { notify: 'nope', sessions: 'http://127.0.0.1:1' } }), 'bugsnag.endpoints.notify', /URL/],
    [
      'bugsnag.rules severity',
      bugsnag({ rules: [{ errorClass: 'E', severity: 'fatal' }] }),
      'bugsnag.rules[0].severity',
      /error, warning, info/,
    ],
    ['bugsnag.rules pattern', bugsnag({ rules: [{ messageMatches: '(' }] }), 'bugsnag.rules[0].messageMatches', /regular expression/],
    ['profile', { profile: 'staging' }, 'profile', /development, test, production/],
    ['level', { level: 7 }, 'level', /level name/],
    ['console.level', { console: { level: 'loud' } }, 'console.level', /trace, debug/],
    ['console.pretty', { console: { pretty: 'maybe' } }, 'console.pretty', /true or false/],
    ['handleSignals', { handleSignals: 1 }, 'handleSignals', /true or false/],
    ['redact.keys', { redact: { keys: 'password' } }, 'redact.keys', /array of strings/],
    ['cloudwatch not an object', { cloudwatch: 'g' }, 'cloudwatch', /object of options/],
  ];
  for (const [name, options, option, accepted] of cases) {
    it(`${name}: refused, naming ${option}`, () => assertRefused(options, option, accepted));
  }

  it('good values from code pass, and win over the environment', () => {
    const config = loadConfig(
      { NODE_ENV: 'production', LOG_EXIT_TIMEOUT_MS: '9000' },
      { exitTimeoutMs: 1200, bugsnag: { apiKey: KEY, requestTimeoutMs: 2500 }, cloudwatch: { logGroupName: 'g', requestTimeoutMs: 500 } },
    );
    assert.equal(config.exitTimeoutMs, 1200);
    assert.equal(config.bugsnag?.requestTimeoutMs, 2500);
    assert.equal(config.cloudwatch?.requestTimeoutMs, 500);
    assert.equal(loadConfig({ LOG_EXIT_TIMEOUT_MS: '9000' }).exitTimeoutMs, 9000);
  });

  it('environment numbers are digits only: 1e3, 0x10 and 5s are refused', () => {
    for (const raw of ['1e3', '0x10', '5s', '12.5']) {
      assert.throws(() => loadConfig({ LOG_EXIT_TIMEOUT_MS: raw }), /LOG_EXIT_TIMEOUT_MS=.*whole number/);
    }
  });
});

describe('numbers and booleans from code are numbers and booleans', () => {
  const withSpool = (spool: Record<string, unknown>) => ({
    cloudwatch: { logGroupName: 'g' },
    spool: { dir: '/tmp/logferry-x', ...spool },
  });
  const cases: Array<[unknown, string]> = [
    [{ exitTimeoutMs: '5000' }, 'exitTimeoutMs'],
    [{ maxLineBytes: '65536' }, 'maxLineBytes'],
    [{ maxAppBacklogBytes: '2097152' }, 'maxAppBacklogBytes'],
    [{ handleSignals: 'false' }, 'handleSignals'],
    [{ captureUncaught: 'true' }, 'captureUncaught'],
    [{ console: { pretty: 'on' } }, 'console.pretty'],
    [withSpool({ maxBytes: '2097152' }), 'spool.maxBytes'],
    [withSpool({ fsync: 'off' }), 'spool.fsync'],
    [{ cloudwatch: { logGroupName: 'g', retentionDays: '7' } }, 'cloudwatch.retentionDays'],
    [{ cloudwatch: { logGroupName: 'g', createGroup: 'true' } }, 'cloudwatch.createGroup'],
    [{ cloudwatch: { logGroupName: 'g', flushIntervalMs: '1000' } }, 'cloudwatch.flushIntervalMs'],
    [{ bugsnag: { apiKey: KEY, maxBreadcrumbs: '10' } }, 'bugsnag.maxBreadcrumbs'],
    [{ bugsnag: { apiKey: KEY, requestTimeoutMs: '2500' } }, 'bugsnag.requestTimeoutMs'],
  ];
  for (const [options, option] of cases) {
    it(`${option} given as a string is refused`, () => assertRefused(options, option, /is not valid: .*\((a number|a boolean)\)$/));
  }

  it('the same settings from the environment are still read from text', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_EXIT_TIMEOUT_MS: '5000',
      CLOUDWATCH_LOG_GROUP: 'g',
      CLOUDWATCH_RETENTION_DAYS: '7',
      CLOUDWATCH_CREATE_GROUP: 'off',
      LOG_SPOOL_DIR: '/tmp/logferry-x',
      LOG_SPOOL_MAX_BYTES: '2097152',
      LOG_SPOOL_FSYNC: 'on',
      LOG_PRETTY: 'no',
    });
    assert.equal(config.exitTimeoutMs, 5000);
    assert.equal(config.cloudwatch?.retentionDays, 7);
    assert.equal(config.cloudwatch?.createGroup, false);
    assert.equal(config.spool?.maxBytes, 2097152);
    assert.equal(config.spool?.fsync, true);
    assert.equal(config.console?.pretty, false);
  });

  it('a bad key or group from the environment still names the variable', () => {
    assertRefused({}, 'BUGSNAG_API_KEY', /32 hex/, { NODE_ENV: 'production', BUGSNAG_API_KEY: 'nope' });
    assertRefused({}, 'CLOUDWATCH_LOG_GROUP', /letters, digits/, { NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'a group' });
  });
});

describe('unknown option keys are refused, naming the key and the known ones', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    [
      'top level',
      { levle: 'info' },
      'levle',
      /configureLogging\(\) has no option "levle"; known options: .*\blevel\b.*spool.*maxLineBytes.*base.*serializers/,
    ],
    [
      'cloudwatch',
      { cloudwatch: { logGroupName: 'g', logGroup: 'h' } },
      'cloudwatch.logGroup',
      /known options: logGroupName, .*requestTimeoutMs/,
    ],
    ['bugsnag', { bugsnag: { apiKey: KEY, apikey: KEY } }, 'bugsnag.apikey', /known options: apiKey, .*requestTimeoutMs/],
    ['console', { console: { colour: true } }, 'console.colour', /known options: level, pretty/],
    ['redact', { redact: { key: ['token'] } }, 'redact.key', /known options: keys, allow/],
    [
      'bugsnag.endpoints',
      { bugsnag: { apiKey: KEY, endpoints: { notify: 'http://h/', sessions: 'http://h/', session: 'x' } } },
      'bugsnag.endpoints.session',
      /known options: notify, sessions/,
    ],
    [
      'bugsnag.rules[0]',
      { bugsnag: { apiKey: KEY, rules: [{ errorClass: 'E', severty: 'info' }] } },
      'bugsnag.rules[0].severty',
      /severity/,
    ],
  ];
  for (const [name, options, option, accepted] of cases) {
    it(`${name}: refused, naming ${option}`, () => assertRefused(options, option, accepted));
  }

  it('every option that exists today is accepted', () => {
    const config = loadConfig(PRODUCTION, {
      profile: 'production',
      level: 'info',
      console: { level: 'info', pretty: false },
      bugsnag: {
        apiKey: KEY,
        releaseStage: 'prod',
        appVersion: '1.0.0',
        level: 'warn',
        endpoints: { notify: 'http://127.0.0.1:1/', sessions: 'http://127.0.0.1:1/' },
        rules: [{ errorClass: 'E', messageMatches: 'x', severity: 'info', unhandled: false, groupingHash: 'message', ignore: false }],
        onErrorModule: './on-error.js',
        maxBreadcrumbs: 10,
        maxEventsPerMinutePerGroup: 5,
        maxQueuedEvents: 100,
        requestTimeoutMs: 2000,
      },
      cloudwatch: {
        logGroupName: 'g',
        logStreamName: 's',
        scope: 'all',
        level: 'info',
        createGroup: false,
        retentionDays: 7,
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:1/',
        maxEventBytes: 4096,
        flushIntervalMs: 500,
        maxQueueBytes: 4 * 1024 * 1024,
        requestTimeoutMs: 2000,
      },
      redact: { keys: ['pin'], allow: ['token'] },
      spool: false,
      exitTimeoutMs: 1000,
      maxAppBacklogBytes: 2 * 1024 * 1024,
      maxLineBytes: 8192,
      captureUncaught: false,
      handleSignals: false,
      base: { service: 'api' },
      serializers: { user: (user: unknown) => user },
    });
    assert.equal(config.cloudwatch?.logStreamName, 's');
    assert.equal(config.bugsnag?.maxBreadcrumbs, 10);
  });
});

describe('no config error prints a secret given in the wrong place', () => {
  const LONG = 'sk_live_0123456789abcdefghijklmnop';
  const cases: Array<[string, unknown]> = [
    ['bugsnag as a string', { bugsnag: KEY }],
    ['cloudwatch as a string', { cloudwatch: KEY }],
    ['console as a string', { console: KEY }],
    ['redact as a string', { redact: KEY }],
    ['spool as a string', { spool: KEY }],
    ['the options as a string', KEY],
    ['exitTimeoutMs', { exitTimeoutMs: KEY }],
    ['level as a Buffer', { level: Buffer.from(KEY) }],
    ['console.level as a Buffer', { console: { level: Buffer.from(KEY) } }],
    ['redact.keys', { redact: { keys: KEY } }],
    ['an unknown key', { bugsnag: { apiKey: KEY, apiToken: LONG } }],
    ['an unknown top-level key', { bugsnagKey: KEY }],
    ['bugsnag.releaseStage too long', { bugsnag: { apiKey: KEY, releaseStage: LONG.repeat(10) } }],
    ['bugsnag.endpoints as a string', { bugsnag: { apiKey: KEY, endpoints: LONG } }],
    ['bugsnag.rules as a string', { bugsnag: { apiKey: KEY, rules: LONG } }],
    ['cloudwatch.scope as an object', { cloudwatch: { logGroupName: 'g', scope: { token: LONG } } }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: shown by type and length, never in full`, () => {
      assert.throws(
        () => loadConfig(PRODUCTION, options as LogferryOptions),
        (error: unknown) => {
          assert.ok(error instanceof LogferryConfigError, String(error));
          for (const secret of [KEY, LONG]) assert.ok(!error.message.includes(secret.slice(0, 8)), error.message);
          return true;
        },
      );
    });
  }

  it('bugsnag given the key itself: a prefix and the length, as the apiKey is shown', () => {
    assertRefused(
      { bugsnag: KEY },
      'bugsnag',
      /^logferry: bugsnag="0123…" \(a string of 32 characters\) is not valid: use an object of options/,
    );
  });

  it('a short wrong-typed string is shown in full, so the mistake is plain', () => {
    assertRefused({ console: 'warn' }, 'console', /^logferry: console="warn" \(a string\) is not valid/);
  });
});

describe('the audit channel level rule', () => {
  const levelsOf = (raw: string) => loadConfig({ NODE_ENV: 'production', LOG_LEVEL: raw }).levels;
  it('LOG_LEVEL=warn,billing=warn leaves an audit logger of billing at info', () => {
    assert.equal(auditLevel(levelsOf('warn,billing=warn'), 'billing'), 'info');
    assert.equal(auditLevel(levelsOf('warn,billing=error'), 'billing/invoices'), 'info');
  });
  it('only transactional= sets it otherwise; a more verbose module level still applies', () => {
    assert.equal(auditLevel(levelsOf('warn,billing=warn,transactional=error'), 'billing'), 'error');
    assert.equal(auditLevel(levelsOf('warn,billing=debug'), 'billing'), 'debug');
    assert.equal(auditLevel(levelsOf('warn'), 'transactional'), 'info');
  });
  it('LOG_LEVEL=silent silences it too', () => {
    assert.equal(auditLevel(levelsOf('silent'), 'billing'), 'silent');
  });
});

describe('the audit channel level rule on real loggers', () => {
  it("createLogger('billing', { channel: 'transactional' }) logs info under LOG_LEVEL=warn,billing=warn", async () => {
    const { configureLogging, createLogger } = await import('../src/index.js');
    // No sink: the loggers are built, no worker is started.
    configureLogging({ level: 'warn,billing=warn', console: false });
    assert.equal(createLogger('billing', { channel: 'transactional' }).isLevelEnabled('info'), true);
    assert.equal(createLogger('billing').isLevelEnabled('info'), false);
    assert.equal(createLogger('billing').isLevelEnabled('warn'), true);
  });
});
