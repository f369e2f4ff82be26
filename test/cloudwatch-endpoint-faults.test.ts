import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudWatchEnv, printedFlush } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';
import { waitFor } from './support/wait-for.js';

// Endpoints that misbehave the way networks and proxies do (issue 13's table), each against the
// real SDK in a child process: every line arrives, with extra copies exactly the counted
// possibleDuplicates, or is counted as dropped; flush and exit keep their bounds; and an endpoint
// that refuses everything costs little CPU.
let groupCounter = 0;
const nextGroup = () => `/logferry/endpoint-${process.pid}-${++groupCounter}`;
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

async function withServer(use: (server: LocalCloudWatchLogs) => Promise<void>): Promise<void> {
  const server = await new LocalCloudWatchLogs().start();
  try {
    await use(server);
  } finally {
    await server.stop();
  }
}

function options(group: string, cloudwatch: Record<string, unknown> = {}): string {
  return JSON.stringify({ cloudwatch: { logGroupName: group, logStreamName: 'test-stream', ...cloudwatch } });
}

/** Every line once, in order of first arrival, and how many extra copies there are. */
function arrivals(server: LocalCloudWatchLogs, group: string): { firstCopies: number[]; extraCopies: number } {
  const seqs = server.messages(group).map((message) => message.seq as number);
  const seen = new Set<number>();
  const firstCopies = seqs.filter((seq) => !seen.has(seq) && seen.add(seq));
  return { firstCopies, extraCopies: seqs.length - firstCopies.length };
}

function printed<T>(stderr: string, name: string): T {
  const match = new RegExp(`^${name}=(.*)$`, 'm').exec(stderr);
  if (!match?.[1]) throw new Error(`the fixture printed no ${name}; stderr:\n${stderr}`);
  return JSON.parse(match[1]) as T;
}

describe('CloudWatch endpoint faults: bounded, counted, said once', { concurrency: 3 }, () => {
  it('a 200 whose body trickles one byte every 250 ms: the attempt times out as a whole, its socket is released, the batch goes again', async () => {
    await withServer(async (server) => {
      const group = nextGroup();
      server.failNext('slow-body', 1, 'PutLogEvents');
      const run = await runFixture('cloudwatch-fault-app', {
        env: cloudWatchEnv(server, group, { LINES: '5000', LOGFERRY_TEST_OPTIONS: options(group, { requestTimeoutMs: 1000 }) }),
      });
      assert.equal(run.code, 0, run.stderr);
      const flush = printedFlush(run.stderr);
      const stats = flush.sinks.cloudwatch ?? {};
      // Within the fixture's 20 s flush bound, while the slow answer alone would take 75 s.
      assert.equal(flush.delivered, true, run.stderr);
      const { firstCopies, extraCopies } = arrivals(server, group);
      assert.deepEqual(firstCopies, range(5000));
      assert.equal(extraCopies, 5000, 'the slow answer came for a stored batch');
      assert.equal(stats.possibleDuplicates, extraCopies);
      assert.match(String(stats.lastError), /^TimeoutError: no complete answer within requestTimeoutMs \(1000 ms\)/);
      await waitFor('the slow answer abandoned by the client', () => server.slowBodiesAbandoned === 1, 5000);
    });
  });

  it('a 200 whose connection closes mid-body: sent again, and the copy is counted in possibleDuplicates', async () => {
    await withServer(async (server) => {
      const group = nextGroup();
      server.failNext('cut-body', 1, 'PutLogEvents');
      const run = await runFixture('cloudwatch-fault-app', { env: cloudWatchEnv(server, group, { LINES: '5000' }) });
      assert.equal(run.code, 0, run.stderr);
      const stats = printedFlush(run.stderr).sinks.cloudwatch ?? {};
      const { firstCopies, extraCopies } = arrivals(server, group);
      assert.deepEqual(firstCopies, range(5000));
      assert.equal(extraCopies, 5000);
      assert.equal(stats.possibleDuplicates, 5000);
      assert.match(String(stats.lastError), /^HTTP 200 OK, answer cut off/);
      assert.match(run.stderr, /logferry: CloudWatch: a PutLogEvents request got no answer and was sent again/);
    });
  });

  it('a proxy that answers 413 to bodies over 256 KiB: batches are split, every line arrives once, the 413 is named', async () => {
    await withServer(async (server) => {
      const group = nextGroup();
      server.maxBodyBytes = 256 * 1024;
      const run = await runFixture('cloudwatch-fault-app', { env: cloudWatchEnv(server, group, { LINES: '20000' }) });
      assert.equal(run.code, 0, run.stderr);
      const flush = printedFlush(run.stderr);
      const stats = flush.sinks.cloudwatch ?? {};
      assert.equal(flush.delivered, true, run.stderr);
      assert.deepEqual(
        server.messages(group).map((m) => m.seq),
        range(20000),
      );
      assert.equal(stats.dropped, 0);
      assert.ok(server.acceptedPuts(group).every((put) => put.bytes <= 256 * 1024));
      assert.equal(run.stderr.match(/HTTP 413 Payload Too Large.*split in halves/g)?.length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /SyntaxError/);
    });
  });

  it('an endpoint that refuses every batch (400 InvalidParameterException): a bounded number of paced requests, then every line counted; little CPU', async () => {
    await withServer(async (server) => {
      const group = nextGroup();
      server.failFor('refuse', 120_000, 'PutLogEvents');
      const run = await runFixture('cloudwatch-fault-app', {
        env: cloudWatchEnv(server, group, { LINES: '2000', WAIT_STAT: 'failedRequests:1', FLUSH_TIMEOUT_MS: '30000' }),
      });
      assert.equal(run.code, 0, run.stderr);
      const flush = printed<{ delivered: boolean; dropped: number; sinks: Record<string, Record<string, unknown>> }>(run.stderr, 'flush');
      const stats = flush.sinks.cloudwatch ?? {};
      assert.equal(stats.flushed, true, 'the flush is answered once every line is counted');
      assert.deepEqual([stats.delivered, stats.rejected, stats.dropped, stats.pending], [0, 2000, 0, 0]);
      assert.equal(flush.dropped, 2000, 'the flush result counts refused lines as never to arrive');
      assert.equal(flush.delivered, false);
      const puts = server.callCount('PutLogEvents');
      assert.ok(puts <= 16, `${puts} PutLogEvents requests for one batch`);
      assert.equal(
        run.stderr.match(/InvalidParameterException.*2000 of a batch of 2000 lines refused and given up/g)?.length,
        1,
        run.stderr,
      );
      const window = printed<{ wallMs: number; cpuMs: number }>(run.stderr, 'window');
      // A behaviour check, not a benchmark: the process mostly waits while the endpoint refuses.
      assert.ok(window.cpuMs < 0.25 * window.wallMs, `CPU ${window.cpuMs} ms over ${window.wallMs} ms`);
      process.stdout.write(`# refuse-everything: ${puts} requests, CPU ${Math.round(window.cpuMs)} ms over ${window.wallMs} ms\n`);
    });
  });

  it('one AccessDeniedException, then a healthy endpoint: retried within seconds, nothing lost, said once', async () => {
    await withServer(async (server) => {
      const group = nextGroup();
      server.failNext('denied', 1, 'PutLogEvents');
      // Well under the fixed 30 s pause a denial used to cost; the margin is for a loaded machine.
      const run = await runFixture('cloudwatch-fault-app', {
        env: cloudWatchEnv(server, group, { LINES: '5000', FLUSH_TIMEOUT_MS: '10000' }),
      });
      assert.equal(run.code, 0, run.stderr);
      const flush = printedFlush(run.stderr);
      const stats = flush.sinks.cloudwatch ?? {};
      assert.equal(flush.delivered, true, run.stderr);
      assert.deepEqual(
        server.messages(group).map((m) => m.seq),
        range(5000),
      );
      assert.deepEqual([stats.dropped, stats.retries], [0, 1]);
      assert.equal(run.stderr.match(/AccessDeniedException.*retrying every few seconds/g)?.length, 1, run.stderr);
    });
  });

  it('a flush that is answered reads counters that include everything it covers', async () => {
    await withServer(async (server) => {
      const group = nextGroup();
      const run = await runFixture('cloudwatch-fault-app', { env: cloudWatchEnv(server, group), args: ['flushes'] });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^stale=0$/m);
    });
  });
});

// Exit while the sender is in each state: sleeping in a backoff, waiting on a request in flight,
// creating the stream. LOG_EXIT_TIMEOUT_MS is 1 s; the process is gone soon after, and the app's
// thread says what was not delivered.
const STATES: Array<{ state: string; fault: (server: LocalCloudWatchLogs) => void; ready: (server: LocalCloudWatchLogs) => boolean }> = [
  {
    // Six failed requests: the sleep under way is the sixth backoff, 3.2 to 6.4 s.
    state: 'sleeping in a backoff',
    fault: (server) => server.failFor('500', 120_000, 'PutLogEvents'),
    ready: (server) => server.callCount('PutLogEvents') >= 6,
  },
  {
    state: 'waiting on an answer that trickles',
    fault: (server) => server.failFor('slow-body', 120_000, 'PutLogEvents'),
    ready: (server) => server.callCount('PutLogEvents') >= 1,
  },
  {
    state: 'creating the stream',
    fault: (server) => server.failFor('late-answer', 120_000, 'CreateLogStream'),
    ready: (server) => server.callCount('CreateLogStream') >= 1,
  },
];

describe('CloudWatch: exit is bounded by LOG_EXIT_TIMEOUT_MS in every state of the sender', { concurrency: 3 }, () => {
  for (const { state, fault, ready } of STATES) {
    it(`exit while ${state}`, async () => {
      await withServer(async (server) => {
        const group = nextGroup();
        fault(server);
        let exitingAt = 0;
        const run = await runFixture('cloudwatch-fault-app', {
          args: ['exit'],
          env: cloudWatchEnv(server, group, {
            LINES: '3000',
            LOG_EXIT_TIMEOUT_MS: '1000',
            LOGFERRY_TEST_OPTIONS: options(group, { requestTimeoutMs: 60_000, flushIntervalMs: 50 }),
          }),
          onStderr: {
            marker: 'fixture-waiting',
            act: (child) =>
              void waitFor(state, () => ready(server), 30_000).then(() => {
                exitingAt = Date.now();
                child.stdin?.write('go\n');
              }),
          },
        });
        const exitMs = Date.now() - exitingAt;
        assert.equal(run.code, 0, run.stderr);
        assert.ok(exitingAt > 0, run.stderr);
        // 1 s of exit wait, plus a process ending on a loaded machine; unbounded, this took 4 to 7 s.
        assert.ok(exitMs < 3000, `exit took ${exitMs} ms`);
        process.stdout.write(`# exit while ${state}: ${exitMs} ms from the app's last line to the process gone\n`);
        const said = /not delivered: cloudwatch \((\d+) pending, (\d+) dropped\)/.exec(run.stderr);
        assert.ok(said, run.stderr);
        assert.equal(Number(said[1]) + Number(said[2]), 3000, 'every line is pending or counted');
      });
    });
  }
});
