import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';
import { LogferryConfigError } from '../src/errors.js';
import { planSinks } from '../src/handover/sink-plan.js';
import { levelForModule } from '../src/levels/level-spec.js';

const KEY = '0123456789abcdef0123456789abcdef';
const wire = { sharedBuffer: new SharedArrayBuffer(8), exitTimeoutMs: 5000 };
const sinksOf = (env: Record<string, string | undefined>) => planSinks(loadConfig(env), wire).sinks;

describe('environment profiles', () => {
  it('development (and unset NODE_ENV): pretty console at debug, no network sinks', () => {
    for (const env of [{}, { NODE_ENV: 'development' }] as Array<Record<string, string>>) {
      const config = loadConfig(env);
      assert.equal(config.profile, 'development');
      assert.equal(config.levels.root, 'debug');
      assert.equal(config.console?.pretty, true);
      assert.deepEqual(sinksOf(env), ['stdout']);
    }
  });

  it('on AWS Lambda an unset NODE_ENV picks production (JSON at info, release stage production); a set one still wins', () => {
    const onLambda = { AWS_LAMBDA_FUNCTION_NAME: 'orders', BUGSNAG_API_KEY: KEY };
    const config = loadConfig(onLambda);
    assert.equal(config.profile, 'production');
    assert.equal(config.levels.root, 'info');
    assert.equal(config.console?.pretty, false);
    assert.equal(config.bugsnag?.releaseStage, 'production');
    assert.equal(loadConfig({ ...onLambda, NODE_ENV: 'development' }).profile, 'development');
    assert.equal(loadConfig({ ...onLambda, NODE_ENV: 'test' }).profile, 'test');
    assert.equal(loadConfig({ ...onLambda, LOG_PRETTY: '1' }).console?.pretty, true);
  });

  it('development turns a network sink on only when configured', () => {
    assert.deepEqual(sinksOf({ BUGSNAG_API_KEY: KEY }), ['stdout', 'bugsnag']);
  });

  it('test: silent unless LOG_LEVEL, and no network sinks even when configured', () => {
    const config = loadConfig({ NODE_ENV: 'test', BUGSNAG_API_KEY: KEY, CLOUDWATCH_LOG_GROUP: 'g' });
    assert.equal(config.levels.root, 'silent');
    assert.equal(config.bugsnag, null);
    assert.equal(config.cloudwatch, null);
    assert.equal(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn' }).levels.root, 'warn');
  });

  it('production and any other NODE_ENV: JSON at info, sinks when their variables are set', () => {
    for (const nodeEnv of ['production', 'staging']) {
      const config = loadConfig({ NODE_ENV: nodeEnv, BUGSNAG_API_KEY: KEY, CLOUDWATCH_LOG_GROUP: '/app/audit' });
      assert.equal(config.profile, 'production');
      assert.equal(config.levels.root, 'info');
      assert.equal(config.console?.pretty, false);
      assert.equal(config.bugsnag?.releaseStage, nodeEnv, 'NODE_ENV is the release stage');
      assert.equal(config.bugsnag?.level, 'warn');
      assert.equal(config.cloudwatch?.scope, 'transactional');
      assert.equal(config.cloudwatch?.level, 'info');
      assert.deepEqual(planSinks(config, wire).sinks, ['stdout', 'cloudwatch', 'bugsnag']);
    }
  });

  it('production without sink variables: one notice per missing sink, and carries on', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    assert.equal(config.notices.length, 2);
    assert.match(config.notices[0] ?? '', /BUGSNAG_API_KEY is not set/);
    assert.match(config.notices[1] ?? '', /CLOUDWATCH_LOG_GROUP is not set/);
  });

  it('LOG_PRETTY forces pretty output on or off in any profile', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production', LOG_PRETTY: '1' }).console?.pretty, true);
    assert.equal(loadConfig({ LOG_PRETTY: '0' }).console?.pretty, false);
  });
});

describe('levels', () => {
  it('per-sink levels reach the sink routes', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL_CONSOLE: 'warn',
      LOG_LEVEL_CLOUDWATCH: 'error',
      LOG_LEVEL_BUGSNAG: 'fatal',
      BUGSNAG_API_KEY: KEY,
      CLOUDWATCH_LOG_GROUP: 'g',
    });
    const { routes } = planSinks(config, wire);
    assert.deepEqual(
      routes.map((route) => [route.sink, route.minLevel]),
      [
        ['stdout', 40],
        ['cloudwatch', 50],
        // Bugsnag sees every line (breadcrumbs); its own level decides what is reported.
        ['bugsnag', 10],
      ],
    );
    assert.equal(routes[2]?.options.level, 'fatal');
  });

  it('per-module overrides: the longest matching module wins, children inherit', () => {
    const { levels } = loadConfig({ LOG_LEVEL: 'info,db=debug,db/pool=trace,http=warn' });
    assert.equal(levels.root, 'info');
    assert.equal(levelForModule(levels, 'db', levels.root), 'debug');
    assert.equal(levelForModule(levels, 'db/pool', levels.root), 'trace');
    assert.equal(levelForModule(levels, 'db/query', levels.root), 'debug');
    assert.equal(levelForModule(levels, 'http', levels.root), 'warn');
    assert.equal(levelForModule(levels, 'dbx', levels.root), 'info', 'a prefix that is not a path segment does not match');
  });
});

describe('malformed variables fail fast with the variable, the value and what is accepted', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /"verbose".*trace, debug, info, warn, error, fatal or silent/],
    [{ LOG_LEVEL: 'info,db=loud' }, 'LOG_LEVEL', /"info,db=loud"/],
    [{ LOG_LEVEL_CONSOLE: 'noisy' }, 'LOG_LEVEL_CONSOLE', /noisy/],
    [{ NODE_ENV: 'production', BUGSNAG_API_KEY: KEY, LOG_LEVEL_BUGSNAG: 'bad' }, 'LOG_LEVEL_BUGSNAG', /bad/],
    [{ NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'g', LOG_LEVEL_CLOUDWATCH: 'x' }, 'LOG_LEVEL_CLOUDWATCH', /x/],
    [{ LOG_PRETTY: 'maybe' }, 'LOG_PRETTY', /1\/true\/yes\/on/],
    [{ NODE_ENV: 'production', BUGSNAG_API_KEY: 'not-a-key' }, 'BUGSNAG_API_KEY', /32 hex characters/],
    [{ NODE_ENV: 'production', BUGSNAG_API_KEY: KEY, BUGSNAG_ENDPOINT_NOTIFY: 'http://127.0.0.1:1' }, 'BUGSNAG_ENDPOINT_SESSIONS', /both/],
    [
      { NODE_ENV: 'production', BUGSNAG_API_KEY: KEY, BUGSNAG_ENDPOINT_NOTIFY: 'nope', BUGSNAG_ENDPOINT_SESSIONS: 'nope' },
      'BUGSNAG_ENDPOINT_NOTIFY',
      /URL/,
    ],
    [{ NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'bad group!' }, 'CLOUDWATCH_LOG_GROUP', /letters, digits/],
    [{ NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'g', CLOUDWATCH_LOG_STREAM: 'a:b' }, 'CLOUDWATCH_LOG_STREAM', /without ':'/],
    [{ NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'g', CLOUDWATCH_SCOPE: 'some' }, 'CLOUDWATCH_SCOPE', /transactional.*all/],
    [{ NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'g', CLOUDWATCH_CREATE_GROUP: 'sure' }, 'CLOUDWATCH_CREATE_GROUP', /true/],
    [{ NODE_ENV: 'production', CLOUDWATCH_LOG_GROUP: 'g', CLOUDWATCH_RETENTION_DAYS: '10' }, 'CLOUDWATCH_RETENTION_DAYS', /1, 3, 5, 7, 14/],
    [{ LOG_EXIT_TIMEOUT_MS: '-5' }, 'LOG_EXIT_TIMEOUT_MS', /whole number/],
    [{ LOG_MAX_APP_BACKLOG_BYTES: '4096' }, 'LOG_MAX_APP_BACKLOG_BYTES', /from 1048576 \(1 MiB\) to 536870912/],
    [{ LOG_MAX_APP_BACKLOG_BYTES: '64MB' }, 'LOG_MAX_APP_BACKLOG_BYTES', /whole number of bytes/],
  ];
  for (const [env, variable, accepted] of cases) {
    it(`${variable}=${Object.values(env).at(-1)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof LogferryConfigError);
          assert.equal(error.variable, variable);
          assert.ok(error.message.startsWith(`logferry: ${variable}=`), error.message);
          assert.match(error.message, accepted);
          return true;
        },
      );
    });
  }

  it('the app-side backlog bound: 64 MiB by default, set by variable or option, an option checked like the variable', () => {
    assert.equal(loadConfig({}).maxAppBacklogBytes, 64 * 1024 * 1024);
    assert.equal(loadConfig({ LOG_MAX_APP_BACKLOG_BYTES: '2097152' }).maxAppBacklogBytes, 2 * 1024 * 1024);
    assert.equal(
      loadConfig({ LOG_MAX_APP_BACKLOG_BYTES: '2097152' }, { maxAppBacklogBytes: 8 * 1024 * 1024 }).maxAppBacklogBytes,
      8 * 1024 * 1024,
    );
    assert.throws(() => loadConfig({}, { maxAppBacklogBytes: 10 }), /maxAppBacklogBytes=10 is not valid/);
  });

  it('CloudWatch sizes outside their range fail at start, naming the option and its range', () => {
    const withCloudWatch = (cloudwatch: Record<string, number>) => () =>
      loadConfig({ NODE_ENV: 'production' }, { cloudwatch: { logGroupName: 'g', ...cloudwatch } });
    assert.throws(
      withCloudWatch({ maxQueueBytes: 1024 }),
      /cloudwatch\.maxQueueBytes=1024 .*from 2097152 \(two full batches\) to 1073741824 \(1 GiB\)/,
    );
    assert.throws(withCloudWatch({ maxQueueBytes: 2 ** 31 }), /cloudwatch\.maxQueueBytes=2147483648/);
    assert.throws(withCloudWatch({ maxQueueBytes: 4_194_304.5 }), /whole number/);
    assert.throws(withCloudWatch({ maxEventBytes: 10 }), /cloudwatch\.maxEventBytes=10 .*whole number from/);
    assert.throws(withCloudWatch({ flushIntervalMs: 0 }), /cloudwatch\.flushIntervalMs=0 .*from 1 to 60000/);
    const resolved = loadConfig({ NODE_ENV: 'production' }, { cloudwatch: { logGroupName: 'g', maxQueueBytes: 4 * 1_048_576 } });
    assert.equal(resolved.cloudwatch?.maxQueueBytes, 4 * 1_048_576);
  });

  it('a bad Bugsnag key is never echoed whole', () => {
    const secretish = 'zz23456789abcdef0123456789abcdefXX';
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', BUGSNAG_API_KEY: secretish }),
      (error: Error) => !error.message.includes(secretish),
    );
  });

  it('a key given as a Buffer or bytes (readFileSync) shows only a prefix and its length', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    for (const apiKey of [Buffer.from(key), new TextEncoder().encode(key), Buffer.from(`${key}\n`)]) {
      assert.throws(
        () => loadConfig({ NODE_ENV: 'production' }, { bugsnag: { apiKey: apiKey as unknown as string } }),
        (error: Error) => {
          assert.ok(!error.message.includes(key.slice(4)), error.message);
          assert.match(error.message, /bugsnag.apiKey="abcd…" \(3[23] characters, given as a (Buffer|Uint8Array)\)/);
          return true;
        },
      );
    }
  });

  it('a URL with userinfo or a secret parameter is shown without them', () => {
    const bad = 'ftp://admin:S3CRET-PW@bugsnag.internal/notify?api_key=S3CRET-KEY';
    assert.throws(
      () =>
        loadConfig({
          NODE_ENV: 'production',
          BUGSNAG_API_KEY: 'a'.repeat(32),
          BUGSNAG_ENDPOINT_NOTIFY: bad,
          BUGSNAG_ENDPOINT_SESSIONS: bad,
        }),
      (error: Error) => {
        assert.ok(!error.message.includes('S3CRET'), error.message);
        assert.match(error.message, /ftp:\/\/bugsnag\.internal\/notify\?api_key=\[Redacted\]/);
        return true;
      },
    );
  });

  it('the per-line cap: 1 MiB by default, set by variable or option, checked like every setting', () => {
    assert.equal(loadConfig({}).maxLineBytes, 1024 * 1024);
    assert.equal(loadConfig({ LOG_MAX_LINE_BYTES: '65536' }).maxLineBytes, 65536);
    assert.equal(loadConfig({ LOG_MAX_LINE_BYTES: '65536' }, { maxLineBytes: 8192 }).maxLineBytes, 8192);
    assert.throws(
      () => loadConfig({ LOG_MAX_LINE_BYTES: '1k' }),
      /LOG_MAX_LINE_BYTES="1k" is not valid: use a whole number of bytes from 4096/,
    );
    assert.throws(() => loadConfig({}, { maxLineBytes: 100 }), /maxLineBytes=100 is not valid/);
  });
});
