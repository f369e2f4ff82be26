import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_BUGSNAG_KEY } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

// Lines an app logs in its own process.on('exit') listeners reach every sink, whenever the
// listener was added (before the first logger, after it, or in the turn the process ends), on
// every path that fires 'exit'. A signal with no handler of the app's ends Node without 'exit'
// (test/signal-late-lines.test.ts); with the app's handler, its process.exit() fires it.
const AT_EXIT = ['before-first-logger', 'after-first-logger', 'same-turn'];
let cloudwatch: LocalCloudWatchLogs;
let bugsnag: LocalBugsnag;
let runs = 0;

describe("lines logged in the app's 'exit' listeners", { concurrency: true }, () => {
  before(async () => {
    cloudwatch = await new LocalCloudWatchLogs().start();
    cloudwatch.delayMs = 100;
    bugsnag = await new LocalBugsnag().start();
  });
  after(async () => {
    await cloudwatch.stop();
    await bugsnag.stop();
  });

  const paths: Array<[string, { code?: number; signal?: NodeJS.Signals }]> = [
    ['natural', { code: 0 }],
    ['exit', { code: 3 }],
    ['uncaught', { code: 1 }],
    ['rejection', { code: 1 }],
    ['SIGTERM', { code: 0 }],
  ];
  for (const [mode, expected] of paths) {
    it(`${mode}: the lines reach stdout, CloudWatch and Bugsnag`, async () => {
      const group = `/logferry/exit-listeners-${process.pid}-${++runs}`;
      const release = `exit-listeners-${runs}`;
      const run = await runFixture('exit-listener-app', {
        env: {
          ...cloudWatchEnv(cloudwatch, group, { CLOUDWATCH_SCOPE: 'all', LOG_EXIT_TIMEOUT_MS: '10000' }),
          LOG_LEVEL_CONSOLE: 'info',
          BUGSNAG_API_KEY: TEST_BUGSNAG_KEY,
          BUGSNAG_ENDPOINT_NOTIFY: bugsnag.notifyUrl,
          BUGSNAG_ENDPOINT_SESSIONS: bugsnag.sessionsUrl,
          BUGSNAG_RELEASE_STAGE: release,
        },
        args: [mode],
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
      });
      assert.equal(run.code, expected.code, `signal=${run.signal} stderr=${run.stderr}`);
      const onStdout = new Set(jsonLines(run.stdout).map((line) => line.seq));
      const inCloudWatch = new Set(cloudwatch.messages(group).map((message) => message.seq));
      for (const seq of [...AT_EXIT, 'error-at-exit']) {
        assert.ok(onStdout.has(seq), `${seq} is not on stdout; stderr: ${run.stderr}`);
        assert.ok(inCloudWatch.has(seq), `${seq} is not in CloudWatch; stderr: ${run.stderr}`);
      }
      const events = bugsnag.events.filter((event) => event.app?.releaseStage === release);
      assert.ok(
        events.some((event) => event.exceptions[0]?.message === 'failure logged at exit'),
        `the error logged at exit is not in Bugsnag; stderr: ${run.stderr}`,
      );
      assert.doesNotMatch(run.stderr, /^logferry: .*(not delivered|wait ran out)/m);
    });
  }

  for (const [mode, code] of [
    ['natural', 0],
    ['exit', 3],
    ['uncaught', 1],
  ] as const) {
    it(`${mode}, JSON to stdout alone (written by the app's thread): the lines reach stdout`, async () => {
      const run = await runFixture('exit-listener-app', { env: { NODE_ENV: 'production' }, args: [mode] });
      assert.equal(run.code, code, run.stderr);
      const onStdout = new Set(jsonLines(run.stdout).map((line) => line.seq));
      for (const seq of [...AT_EXIT, 'error-at-exit']) assert.ok(onStdout.has(seq), `${seq} is not on stdout; stderr: ${run.stderr}`);
    });
  }
});
