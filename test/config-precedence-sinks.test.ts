import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bugsnagEnv, TEST_BUGSNAG_KEY } from './support/bugsnag-env.js';
import { withReceiver } from './support/bugsnag-receiver.js';
import { cloudWatchEnv, printedFlush } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// One line through each real sink for the precedence matrix (config-precedence.test.ts resolves
// every option; these show the resolved settings reach the sinks): each sink switched on by the
// environment, with other keys of it in code, over several configureLogging() calls.

const calls = (...options: unknown[]) => ({ LOGFERRY_TEST_CALLS: JSON.stringify(options) });

function stdoutLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('stdout: configureLogging() calls merge key by key', () => {
  it('{ redact: { keys } } then { redact: { allow } }: the first call still censors ssn, the second lets token through', async () => {
    const run = await runFixture('configure-calls', {
      env: { NODE_ENV: 'production', ...calls({ redact: { keys: ['ssn'] } }, { redact: { allow: ['token'] } }) },
    });
    assert.equal(run.code, 0, run.stderr);
    const line = stdoutLines(run.stdout).find((entry) => entry.msg === 'two calls');
    assert.equal(line?.ssn, '[Redacted]', run.stdout);
    assert.equal(line?.token, 'tok-1');
    assert.doesNotMatch(run.stdout, /123-45-6789/);
  });

  it('LOG_LEVEL_CONSOLE from the environment, console.pretty in code: both apply', async () => {
    const run = await runFixture('configure-calls', {
      env: { NODE_ENV: 'development', LOG_LEVEL_CONSOLE: 'error', ...calls({ console: { pretty: false } }) },
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = stdoutLines(run.stdout);
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['lookup failed', 'timed out'],
      'JSON (pretty off from code), error and above only (from the environment)',
    );
  });

  it("an error keeps its own name beside its constructor's, as pino writes both", async () => {
    const run = await runFixture('configure-calls', { env: { NODE_ENV: 'production' } });
    const lines = stdoutLines(run.stdout);
    const err = (msg: string) => lines.find((line) => line.msg === msg)?.err as Record<string, unknown> | undefined;
    assert.equal(err('lookup failed')?.type, 'HttpError');
    assert.equal(err('lookup failed')?.name, 'NotFoundError');
    assert.equal(err('timed out')?.type, 'DOMException');
    assert.equal(err('timed out')?.name, 'TimeoutError');
  });

  it('a Date or an array as the first argument is kept under value (pino would drop the Date)', async () => {
    const run = await runFixture('configure-calls', { env: { NODE_ENV: 'production' } });
    const lines = stdoutLines(run.stdout);
    assert.ok(lines.some((line) => line.value === '1970-01-01T00:00:00.000Z' && line.msg === undefined));
    assert.ok(lines.some((line) => line.msg === 'an array first' && JSON.stringify(line.value) === '["a","b"]'));
  });

  it('NODE_ENV=test with sinks given in code: no network sink and no worker, stdout only', async () => {
    await withReceiver(async (receiver) => {
      const run = await runFixture('configure-calls', {
        env: {
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          ...calls({
            bugsnag: { apiKey: TEST_BUGSNAG_KEY, endpoints: { notify: receiver.notifyUrl, sessions: receiver.sessionsUrl } },
            cloudwatch: { logGroupName: '/never', endpoint: 'http://127.0.0.1:9/', region: 'eu-west-1' },
          }),
        },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(Object.keys(printedFlush(run.stderr).sinks), ['stdout']);
      assert.equal(receiver.events.length, 0);
      assert.ok(stdoutLines(run.stdout).some((line) => line.msg === 'two calls'));
    });
  });
});

describe('CloudWatch: log group from the environment, tuning in code', () => {
  let server: LocalCloudWatchLogs;
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it('CLOUDWATCH_LOG_GROUP plus cloudwatch.requestTimeoutMs and, in a second call, cloudwatch.scope: lines arrive', async () => {
    const group = `/logferry/precedence-${process.pid}`;
    const run = await runFixture('configure-calls', {
      env: cloudWatchEnv(
        server,
        group,
        calls({ cloudwatch: { requestTimeoutMs: 2000, flushIntervalMs: 50 } }, { cloudwatch: { scope: 'all' } }),
      ),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(printedFlush(run.stderr).delivered, true);
    const messages = server.messages(group);
    // scope=all from the second call: the app's lines too, not only the audit channel.
    assert.ok(messages.some((message) => message.msg === 'order placed'));
    assert.ok(messages.some((message) => message.msg === 'lookup failed'));
    assert.equal(server.events(group, 'test-stream').length, messages.length, 'CLOUDWATCH_LOG_STREAM from the environment still applies');
  });
});

describe('Bugsnag: API key and endpoints from the environment, other keys in code', () => {
  it('BUGSNAG_* plus bugsnag.releaseStage in code: the event carries both; error classes are the errors own names', async () => {
    await withReceiver(async (receiver) => {
      const run = await runFixture('configure-calls', {
        env: bugsnagEnv(receiver, calls({ bugsnag: { releaseStage: 'canary' } }, { bugsnag: { maxBreadcrumbs: 2 } })),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(printedFlush(run.stderr).delivered, true);
      const events = receiver.events;
      assert.equal(events.length, 2);
      for (const event of events) {
        assert.equal(event.app?.releaseStage, 'canary', 'from code');
        assert.equal(event.app?.version, '1.2.3', 'APP_VERSION from the environment still applies');
      }
      // @bugsnag/js reports error.name as the class (Event.create in @bugsnag/core): so does logferry.
      assert.deepEqual(events.map((event) => event.exceptions[0]?.errorClass).sort(), ['NotFoundError', 'TimeoutError']);
      assert.ok((events[0]?.breadcrumbs?.length ?? 0) <= 2, 'bugsnag.maxBreadcrumbs from the second call');
    });
  });
});
