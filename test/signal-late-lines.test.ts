import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { returnedSeqs, signalWhileLogging } from './support/late-lines-run.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

// Lines logged after SIGTERM, SIGINT or SIGHUP, up to the end of the process: a service keeps
// logging while logferry flushes on the signal. Each child appends the seq of every log call
// that returned to a file, so the accounting is exact: each such line is in CloudWatch, or counted
// in the stderr line that says what was not delivered.
let server: LocalCloudWatchLogs;
let dir: string;
let runs = 0;

describe('lines logged after a signal', { concurrency: true }, () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
    // A slow endpoint: each request answers 200 ms after it came.
    server.delayMs = 200;
    dir = mkdtempSync(join(tmpdir(), 'logferry-late-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal}: every line whose log call returned, after the signal too, reaches a slow CloudWatch`, async () => {
      const group = `/logferry/late-${process.pid}-${++runs}`;
      const record = join(dir, `${runs}.seqs`);
      const { run, atSignal } = await signalWhileLogging(signal, cloudWatchEnv(server, group, { LOG_EXIT_TIMEOUT_MS: '10000' }), record);
      assert.equal(run.signal, signal, `code=${run.code} stderr=${run.stderr}`);
      const logged = returnedSeqs(record);
      assert.ok(logged.length > atSignal, `lines were logged after the signal (${atSignal} before, ${logged.length} in all)`);
      const stored = new Set(server.messages(group).map((message) => message.seq));
      const missing = logged.filter((seq) => !stored.has(seq));
      assert.deepEqual(
        missing.slice(0, 20),
        [],
        `${missing.length} of ${logged.length} returned lines never reached CloudWatch; stderr: ${run.stderr}`,
      );
      assert.doesNotMatch(
        run.stderr,
        /^logferry: .*(not delivered|wait ran out|duplicates)/m,
        'nothing to report: everything was delivered',
      );
      assert.deepEqual(server.limitViolations, []);
    });
  }

  it('SIGTERM while CloudWatch drops every request: the lines still unsent are exactly the ones the stderr line counts', async () => {
    const group = `/logferry/late-drop-${process.pid}-${++runs}`;
    const record = join(dir, `${runs}.seqs`);
    const dropping = await new LocalCloudWatchLogs().start();
    try {
      // The stream is created; every PutLogEvents connection is closed before it is processed.
      dropping.failFor('drop', 120_000, 'PutLogEvents');
      const run = await runFixture('late-lines', {
        // The last half of the budget (at most 2.5 s) is the final wait's, in which the worker takes
        // the lines logged meanwhile and counts them: 2 s here, for a loaded machine.
        env: cloudWatchEnv(dropping, group, { LOG_EXIT_TIMEOUT_MS: '4000' }),
        args: [record],
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
      });
      assert.equal(run.signal, 'SIGTERM', `code=${run.code} stderr=${run.stderr}`);
      const said =
        /^logferry: exit wait ran out after 4000 ms \(LOG_EXIT_TIMEOUT_MS\) on SIGTERM; not delivered: cloudwatch \((\d+) pending, (\d+) dropped\)$/m.exec(
          run.stderr,
        );
      assert.ok(said, run.stderr);
      assert.equal(dropping.eventCount(group), 0, 'nothing was stored');
      assert.equal(Number(said[1]) + Number(said[2]), returnedSeqs(record).length, 'pending + dropped = every line that returned');
    } finally {
      await dropping.stop();
    }
  });

  for (const [name, env] of [
    ["JSON to stdout alone (written by the app's thread)", { NODE_ENV: 'production' }],
    ['stdout through the worker, beside CloudWatch', { LOG_LEVEL_CONSOLE: 'info' }],
  ] as const) {
    it(`SIGTERM, ${name}: every line whose log call returned is on stdout`, async () => {
      const group = `/logferry/late-stdout-${process.pid}-${++runs}`;
      const record = join(dir, `${runs}.seqs`);
      const run = await runFixture('late-lines', {
        env: 'LOG_LEVEL_CONSOLE' in env ? cloudWatchEnv(server, group, { ...env, LOG_EXIT_TIMEOUT_MS: '10000' }) : env,
        args: [record],
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
      });
      assert.equal(run.signal, 'SIGTERM', `code=${run.code} stderr=${run.stderr}`);
      const onStdout = new Set(jsonLines(run.stdout).map((line) => line.seq));
      const missing = returnedSeqs(record).filter((seq) => !onStdout.has(seq));
      assert.deepEqual(missing.slice(0, 20), [], `${missing.length} returned lines are not on stdout; stderr: ${run.stderr}`);
    });
  }
});
