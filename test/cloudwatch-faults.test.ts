import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv, printedFlush } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// Throttling, 5xx, dropped connections, a deleted stream, a missing permission, an endpoint
// that is down: nothing is lost that the cap does not force, and what is lost is counted.
let server: LocalCloudWatchLogs;
let groupCounter = 0;
const nextGroup = () => `/logferry/faults-${process.pid}-${++groupCounter}`;
const seqsOf = (group: string) =>
  server
    .messages(group)
    .map((message) => message.seq)
    .filter((seq) => typeof seq === 'number');
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

describe('CloudWatch sink under faults', { concurrency: true }, () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it('30 s of ThrottlingException, then recovery: nothing lost, retries in the metrics', async () => {
    const throttled = await new LocalCloudWatchLogs().start();
    try {
      const group = nextGroup();
      throttled.failFor('throttle', 30_000);
      const run = await runFixture('cloudwatch-load', {
        env: cloudWatchEnv(throttled, group, { LINES: '5000', FLUSH_TIMEOUT_MS: '60000' }),
        timeoutMs: 90_000,
      });
      assert.equal(run.code, 0, run.stderr);
      const flush = printedFlush(run.stderr);
      assert.equal(flush.delivered, true);
      assert.deepEqual(
        throttled.messages(group).map((m) => m.seq),
        range(5000),
      );
      const stats = flush.sinks.cloudwatch ?? {};
      assert.ok((stats.retries as number) >= 5, `retries: ${stats.retries}`);
      assert.match(String(stats.lastError), /ThrottlingException/);
      assert.equal(stats.dropped, 0);
      // Backoff, not a hot loop: 30 s of throttling took a bounded number of attempts.
      assert.ok(throttled.calls.length < 60, `${throttled.calls.length} calls in 30 s`);
    } finally {
      await throttled.stop();
    }
  });

  it('5xx bursts and dropped connections: nothing lost, order kept', async () => {
    const group = nextGroup();
    const flaky = await new LocalCloudWatchLogs().start();
    try {
      // Bursts at the start and again mid-run, each a few consecutive failures of PutLogEvents
      // (named: a fault taken by the stream's creation at start-up, before any batch waits on
      // it, is not a batch's retry, and whether it comes first is a race).
      flaky.failNext('500', 3, 'PutLogEvents');
      flaky.failNext('drop', 2, 'PutLogEvents');
      flaky.onAccepted = (count) => {
        if (count === 2) {
          flaky.failNext('drop', 2, 'PutLogEvents');
          flaky.failNext('500', 2, 'PutLogEvents');
        }
      };
      const run = await runFixture('cloudwatch-load', { env: cloudWatchEnv(flaky, group, { LINES: '20000', FLUSH_TIMEOUT_MS: '60000' }) });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        flaky.messages(group).map((m) => m.seq),
        range(20000),
      );
      assert.ok((printedFlush(run.stderr).sinks.cloudwatch?.retries as number) >= 9);
      assert.deepEqual(flaky.limitViolations, []);
    } finally {
      await flaky.stop();
    }
  });

  for (const fault of ['lose-answer', 'late-answer'] as const) {
    const how = fault === 'lose-answer' ? 'the connection closed' : 'no answer within requestTimeoutMs';
    it(`a batch stored but its answer lost (${how}): sent again, nothing lost, every extra copy counted and reported`, async () => {
      const group = nextGroup();
      const lossy = await new LocalCloudWatchLogs().start();
      try {
        // After the first batch is in, the next two requests (the same batch, sent again) are stored without an answer.
        lossy.onAccepted = (count) => {
          if (count === 1) lossy.failNext(fault, 2);
        };
        const options = { cloudwatch: { logGroupName: group, logStreamName: 'test-stream', requestTimeoutMs: 500 } };
        const run = await runFixture('cloudwatch-load', {
          env: cloudWatchEnv(lossy, group, { LINES: '20000', LOGFERRY_TEST_OPTIONS: JSON.stringify(options) }),
        });
        assert.equal(run.code, 0, run.stderr);
        const seqs = lossy.messages(group).map((m) => m.seq as number);
        const firstCopies = seqs.filter((seq, index) => seqs.indexOf(seq) === index);
        assert.deepEqual(firstCopies, range(20000), 'every line, in order');
        const extraCopies = seqs.length - 20000;
        const stats = printedFlush(run.stderr).sinks.cloudwatch ?? {};
        assert.ok(extraCopies > 0, 'the stand-in stored the unanswered requests');
        assert.equal(stats.possibleDuplicates, extraCopies);
        assert.equal(stats.delivered, 20000);
        assert.match(run.stderr, /logferry: CloudWatch: a PutLogEvents request got no answer and was sent again/);
        if (fault === 'late-answer') assert.match(String(stats.lastError), /TimeoutError.*requestTimeout/);
      } finally {
        await lossy.stop();
      }
    });
  }

  it('the stream deleted mid-run is recreated, and nothing is lost', async () => {
    const group = nextGroup();
    server.onAccepted = (count) => {
      if (count === 2) server.forgetStream(group, 'test-stream');
    };
    try {
      const run = await runFixture('cloudwatch-load', { env: cloudWatchEnv(server, group, { LINES: '30000' }) });
      assert.equal(run.code, 0, run.stderr);
      const tail = seqsOf(group);
      // The deleted stream took its first batches with it; everything sent after the deletion is there, in order.
      const firstAfter = tail[0] as number;
      assert.ok(firstAfter > 0);
      assert.deepEqual(tail, range(30000).slice(firstAfter));
      assert.equal(server.calls.filter((call) => call === 'CreateLogStream').length >= 2, true);
      assert.equal(printedFlush(run.stderr).sinks.cloudwatch?.delivered, 30000);
    } finally {
      server.onAccepted = undefined;
    }
  });

  it('a group that may not be created: one clear line on stderr, losses counted, the app carries on', async () => {
    const denied = await new LocalCloudWatchLogs().start();
    denied.denyCreateGroup = true;
    try {
      const group = nextGroup();
      // The flush is answered once the 100 lines are counted; its bound only covers a slow start on a loaded machine.
      const run = await runFixture('cloudwatch-load', { env: cloudWatchEnv(denied, group, { LINES: '100', FLUSH_TIMEOUT_MS: '15000' }) });
      assert.equal(run.code, 0);
      assert.equal(run.stderr.match(/^logferry: CloudWatch .*AccessDeniedException.*100 lines lost/gm)?.length, 1, run.stderr);
      const stats = printedFlush(run.stderr).sinks.cloudwatch ?? {};
      assert.equal(stats.dropped, 100);
      assert.ok(denied.calls.filter((call) => call === 'CreateLogGroup').length <= 2, 'creation is not looped');
    } finally {
      await denied.stop();
    }
  });

  it('the endpoint down with 1,000,000 lines offered: the queue stays under its cap, drops are counted, then reported', async () => {
    const down = await new LocalCloudWatchLogs().start();
    try {
      const group = nextGroup();
      const capBytes = 4 * 1024 * 1024;
      down.failFor('drop', 120_000);
      const options = { cloudwatch: { logGroupName: group, logStreamName: 'test-stream', maxQueueBytes: capBytes } };
      const run = await runFixture('cloudwatch-load', {
        env: cloudWatchEnv(down, group, {
          LINES: '1000000',
          WAIT_FOR_STDIN: '1',
          REPORT_MEMORY: '1',
          LOGFERRY_TEST_OPTIONS: JSON.stringify(options),
        }),
        timeoutMs: 120_000,
        onStderr: {
          marker: 'fixture-waiting',
          act: (child) => {
            down.clearFaults();
            child.stdin?.write('go\n');
          },
        },
      });
      assert.equal(run.code, 0, run.stderr);
      const before = JSON.parse(/stats-before-flush=(.*)\n/.exec(run.stderr)?.[1] ?? '{}').cloudwatch;
      assert.ok(before, run.stderr);
      assert.ok(before.queuedBytes <= capBytes, `queue ${before.queuedBytes} over cap ${capBytes}`);
      const flush = printedFlush(run.stderr);
      const stats = flush.sinks.cloudwatch ?? {};
      assert.ok((stats.dropped as number) > 900_000, `dropped ${stats.dropped}`);
      const messages = down.messages(group);
      const report = messages.find((message) => typeof message.droppedLines === 'number');
      assert.ok(report, 'no drop report line arrived');
      assert.equal(report.droppedLines, stats.dropped);
      assert.match(
        String(report.msg),
        /logferry dropped \d+ lines logged between .* by pid \d+ on .* \(stream test-stream\), dropped between/,
      );
      // The report names when the dropped lines were logged, not only when they were dropped.
      assert.ok(Date.parse(String(report.droppedLoggedFrom)) <= Date.parse(String(report.droppedFrom)), JSON.stringify(report));
      assert.equal(report.droppedLogStream, 'test-stream');
      // What survived is the newest lines, in order, ending with the last one logged.
      const kept = messages.map((m) => m.seq).filter((seq): seq is number => typeof seq === 'number');
      assert.equal(kept.at(-1), 999_999);
      assert.equal(kept.length + (stats.dropped as number), 1_000_000);
      process.stdout.write(`# peak RSS of the child: ${Math.round(Number(/maxRSS=(\d+)/.exec(run.stderr)?.[1]) / 1024)} MiB\n`);
    } finally {
      await down.stop();
    }
  });
});
