import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bugsnagEnv, TEST_BUGSNAG_KEY } from './support/bugsnag-env.js';
import { type LocalBugsnag, withReceiver } from './support/bugsnag-receiver.js';
import { printedFlush } from './support/cloudwatch-env.js';
import { runFixture } from './support/run-fixture.js';

// The real @bugsnag/js notifier against a receiver that stores its first requests and then
// never answers them, holding their connections open (a hung proxy). Before attempts were
// bounded as a whole, those requests held all 8 keep-alive sockets: retries queued behind them,
// were counted, and never left.
const EVENTS = 20;
const HELD = 8;

/** Bugsnag options with a short attempt bound, so a held request is given up in 1 s. */
function options(receiver: LocalBugsnag): string {
  return JSON.stringify({
    bugsnag: {
      apiKey: TEST_BUGSNAG_KEY,
      endpoints: { notify: receiver.notifyUrl, sessions: receiver.sessionsUrl },
      requestTimeoutMs: 1000,
    },
  });
}

function seqsOf(receiver: LocalBugsnag): number[] {
  return receiver.events.map((event) => Number(event.metaData?.log?.seq));
}

describe('Bugsnag sink against requests left unanswered', { concurrency: true }, () => {
  it(`the first ${HELD} requests unanswered: every event arrives, each extra copy counted, the failure said once`, () =>
    withReceiver(async (receiver) => {
      receiver.leaveUnanswered(HELD);
      const run = await runFixture('bugsnag-app', {
        env: bugsnagEnv(receiver, { EVENTS: String(EVENTS), FLUSH_TIMEOUT_MS: '30000', LOGFERRY_TEST_OPTIONS: options(receiver) }),
        args: ['many'],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(receiver.unanswered, HELD, 'the receiver held its first requests');
      const flush = printedFlush(run.stderr);
      const stats = flush.sinks.bugsnag ?? {};
      const seqs = seqsOf(receiver);
      assert.deepEqual(
        [...new Set(seqs)].sort((a, b) => a - b),
        Array.from({ length: EVENTS }, (_, i) => i),
      );
      assert.equal(flush.delivered, true, run.stderr);
      assert.equal(stats.delivered, EVENTS);
      assert.equal(stats.dropped, 0);
      assert.equal(stats.pending, 0, 'a settled flush reports current counters, not the ones before the last delivery');
      // The held requests were stored: each one sent again is a copy, and each copy is counted.
      assert.equal(seqs.length - EVENTS, stats.possibleDuplicates);
      assert.equal(stats.possibleDuplicates, HELD);
      assert.ok((stats.retries as number) >= HELD, `retries ${stats.retries}`);
      assert.equal(run.stderr.match(/logferry: Bugsnag: an event could not be delivered/g)?.length, 1, run.stderr);
      assert.deepEqual(receiver.problems, []);
    }));

  it(`the first ${HELD} requests unanswered and the app ends at once: the exit wait delivers every event`, () =>
    withReceiver(async (receiver) => {
      receiver.leaveUnanswered(HELD);
      const run = await runFixture('bugsnag-app', {
        env: bugsnagEnv(receiver, { EVENTS: String(EVENTS), LOG_EXIT_TIMEOUT_MS: '15000', LOGFERRY_TEST_OPTIONS: options(receiver) }),
        args: ['many-then-exit'],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        [...new Set(seqsOf(receiver))].sort((a, b) => a - b),
        Array.from({ length: EVENTS }, (_, i) => i),
        run.stderr,
      );
      assert.doesNotMatch(run.stderr, /exit wait ran out|not delivered/);
      const reported = Number(/possible duplicates: .*bugsnag may hold (\d+)/.exec(run.stderr)?.[1] ?? 0);
      assert.equal(seqsOf(receiver).length - EVENTS, reported, 'extra copies equal the count printed at exit');
    }));

  it('every request unanswered: the exit wait is kept, the loss is said by the app thread, and the CPU stays idle', () =>
    withReceiver(async (receiver) => {
      receiver.leaveUnanswered(1_000_000);
      const startedAt = Date.now();
      const run = await runFixture('bugsnag-app', {
        env: bugsnagEnv(receiver, {
          EVENTS: '5',
          LOG_EXIT_TIMEOUT_MS: '3000',
          FLUSH_TIMEOUT_MS: '2000',
          LOGFERRY_TEST_OPTIONS: options(receiver),
        }),
        args: ['many'],
      });
      const elapsedMs = Date.now() - startedAt;
      assert.equal(run.code, 0, run.stderr);
      const flush = printedFlush(run.stderr) as unknown as { delivered: boolean; settled: boolean; timedOut: boolean };
      assert.deepEqual([flush.delivered, flush.settled, flush.timedOut], [false, false, true]);
      assert.match(run.stderr, /logferry: exit wait ran out after 3000 ms \(LOG_EXIT_TIMEOUT_MS\); not delivered: bugsnag \(5 pending/);
      // Start-up, a 2 s flush and a 3 s exit wait; far less than the 1 s bound times every retry.
      assert.ok(elapsedMs < 20_000, `took ${elapsedMs} ms`);
      const cpuMs = Number(/cpuMs=(\d+)/.exec(run.stderr)?.[1]);
      const uptimeMs = Number(/uptimeMs=(\d+)/.exec(run.stderr)?.[1]);
      assert.ok(cpuMs < uptimeMs / 2, `the app's process used ${cpuMs} ms of CPU in ${uptimeMs} ms while Bugsnag never answered`);
    }));
});
