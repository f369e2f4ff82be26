import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { LogferryConfigError } from '../src/errors.js';
import { auditLevel } from '../src/loggers.js';
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
    ['cloudwatch.logGroupName', { cloudwatch: { logGroupName: 42 } }, 'CLOUDWATCH_LOG_GROUP', /letters, digits/],
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
