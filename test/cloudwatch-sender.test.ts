import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { SinkReporter } from '../src/wire/sink-reporter.js';
import type { LogEvents, LogsApi, PreparedPut, PutResult } from '../transports/cloudwatch/client.js';
import { BACKLOG_QUIET_MS, CloudWatchSender } from '../transports/cloudwatch/sender.js';
import { waitFor } from './support/wait-for.js';

// The sender's ordering with a fake API: which requests are prepared, sent, discarded, and
// when. Over real HTTP the same paths are covered by test/cloudwatch*.test.ts.

interface FakePut {
  events: LogEvents;
  state: 'held' | 'sent' | 'discarded';
  answer(result?: PutResult): void;
  fail(error: Error): void;
}

function fakeApi(): { api: LogsApi; puts: FakePut[]; sent: () => FakePut[] } {
  const puts: FakePut[] = [];
  const api: LogsApi = {
    preparePutLogEvents(events, signal): PreparedPut {
      let answer: (result: PutResult) => void = () => undefined;
      let fail: (error: Error) => void = () => undefined;
      const outcome = new Promise<PutResult>((resolve, reject) => {
        answer = resolve;
        fail = reject;
      });
      outcome.catch(() => undefined);
      // As the SDK does: aborting fails the request, and an already aborted signal fails it at once.
      const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
      if (signal.aborted) fail(abortError());
      else signal.addEventListener('abort', () => fail(abortError()), { once: true });
      const put: FakePut = { events, state: 'held', answer: (result = {}) => answer(result), fail: (error) => fail(error) };
      puts.push(put);
      return {
        send() {
          assert.equal(put.state, 'held', 'a prepared request is sent once, and never after it was discarded');
          put.state = 'sent';
          return outcome;
        },
        discard() {
          put.state = 'discarded';
        },
      };
    },
    ensureStream: async () => undefined,
    streamLost: () => undefined,
    tighten: () => undefined,
    destroy: () => undefined,
  };
  return { api, puts, sent: () => puts.filter((put) => put.state === 'sent') };
}

function countingReporter(): SinkReporter & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    add: (field, amount = 1) => void counts.set(field, (counts.get(field) ?? 0) + amount),
    set: (field, value) => void counts.set(field, value),
    acknowledge: () => undefined,
    error: () => undefined,
    reportOnce: () => undefined,
    exitDeadline: () => 0,
  };
}

const OPTIONS = { logGroupName: '/g', logStreamName: 's', createGroup: true, flushIntervalMs: 60_000, maxQueueBytes: 64 * 1024 * 1024 };

function enqueueNumbered(sender: CloudWatchSender, count: number): void {
  for (let i = 0; i < count; i++) sender.enqueue(Date.now(), String(i));
}

const firstMessage = (put: FakePut | undefined) => put?.events[0]?.message;

describe('CloudWatch sender: the next batch is prepared while one is in flight', () => {
  it('prepares the next full batch during the request and sends it, unchanged, only after the answer', async () => {
    const { api, puts, sent } = fakeApi();
    const sender = new CloudWatchSender(api, OPTIONS, countingReporter());
    enqueueNumbered(sender, 25_000); // batches of 10,000, 10,000 and 5,000

    await waitFor('the second batch prepared', () => puts.length === 2);
    assert.deepEqual(
      puts.map((put) => [put.state, firstMessage(put), put.events.length]),
      [
        ['sent', '0', 10_000],
        ['held', '10000', 10_000],
      ],
    );

    puts[0]?.answer();
    await waitFor('the prepared second batch sent', () => sent().length === 2);
    assert.equal(sent()[1], puts[1], 'the request prepared earlier is the one sent');
    // The last 5,000 are not a full batch: they wait for their turn rather than be prepared half-empty.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(puts.length, 2);

    puts[1]?.answer();
    // The partial batch waits for flushIntervalMs, or, as here, for close.
    const closing = sender.close(5000);
    await waitFor('the rest sent at close', () => sent().length === 3);
    puts[2]?.answer();
    await closing;
    const delivered = sent().flatMap((put) => put.events.map((event) => Number(event.message)));
    assert.deepEqual(
      delivered,
      Array.from({ length: 25_000 }, (_, i) => i),
    );
  });

  it('a failed request discards the prepared one behind it; both go again, in order', async () => {
    const { api, puts, sent } = fakeApi();
    const reporter = countingReporter();
    const sender = new CloudWatchSender(api, OPTIONS, reporter);
    enqueueNumbered(sender, 20_000);

    await waitFor('the second batch prepared', () => puts.length === 2);
    puts[0]?.fail(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await waitFor('the first batch resent after backoff', () => sent().length === 2);
    assert.equal(puts[1]?.state, 'discarded');
    assert.equal(firstMessage(sent()[1]), '0', 'the failed batch goes first again');

    sent()[1]?.answer();
    await waitFor('the second batch sent', () => sent().length === 3);
    assert.equal(firstMessage(sent()[2]), '10000');
    sent()[2]?.answer();
    await sender.close(1000);

    assert.deepEqual(
      sent().map((put) => firstMessage(put)),
      ['0', '0', '10000'],
    );
    assert.equal(reporter.counts.get('delivered'), 20_000);
    assert.equal(reporter.counts.get('retries'), 1);
    assert.equal(reporter.counts.get('pending'), 0);
  });

  it('a refused batch is split in halves, and the lines it restamped are counted once', async () => {
    const { api, sent } = fakeApi();
    const reporter = countingReporter();
    const sender = new CloudWatchSender(api, { ...OPTIONS, flushIntervalMs: 1 }, reporter);
    // Timestamp 0 is older than CloudWatch accepts: each of the four is sent with the current time.
    for (let i = 0; i < 4; i++) sender.enqueue(0, String(i));
    await waitFor('the batch sent', () => sent().length === 1);
    sent()[0]?.fail(Object.assign(new Error('bad event'), { name: 'InvalidParameterException' }));
    await waitFor('the first half sent', () => sent().length === 2);
    sent()[1]?.answer();
    await waitFor('the second half sent', () => sent().length === 3);
    sent()[2]?.answer();
    await sender.close(1000);

    assert.deepEqual(
      sent().map((put) => put.events.map((event) => event.message)),
      [
        ['0', '1', '2', '3'],
        ['0', '1'],
        ['2', '3'],
      ],
    );
    assert.equal(reporter.counts.get('delivered'), 4);
    assert.equal(reporter.counts.get('restamped'), 4);
  });

  it('at the exit deadline a prepared batch still unsent is counted as lost, not forgotten', async () => {
    const { api, puts } = fakeApi();
    const reporter = countingReporter();
    const sender = new CloudWatchSender(api, OPTIONS, reporter);
    enqueueNumbered(sender, 20_000);
    await waitFor('the second batch prepared', () => puts.length === 2);
    const stderrWrite = process.stderr.write;
    process.stderr.write = () => true; // the loss line is expected here
    try {
      await sender.close(50); // the first request never answers
    } finally {
      process.stderr.write = stderrWrite;
    }
    assert.equal(puts[1]?.state, 'discarded');
    assert.equal(reporter.counts.get('dropped'), 20_000);
  });
});

describe('CloudWatch sender: close is bounded in every state', () => {
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

  it('a backoff sleep under way is cut short at close, and what is left is counted', async () => {
    const { api, sent } = fakeApi();
    const reporter = countingReporter();
    const sender = new CloudWatchSender(api, { ...OPTIONS, flushIntervalMs: 1 }, reporter);
    enqueueNumbered(sender, 100);
    // Four refusals: the sleep under way is the fourth backoff, 800 to 1,600 ms.
    for (let failures = 1; failures <= 4; failures++) {
      await waitFor(`attempt ${failures}`, () => sent().length === failures);
      sent()[failures - 1]?.fail(throttled());
    }
    await waitFor('the fourth backoff under way', () => reporter.counts.get('retries') === 4);
    const stderrWrite = process.stderr.write;
    process.stderr.write = () => true; // the loss line is expected here
    const startedAt = Date.now();
    try {
      const closing = sender.close(100);
      // Woken at close, the sender tries once more at once; that attempt never answers.
      await waitFor('one more attempt at close', () => sent().length === 5, 2000);
      await closing;
    } finally {
      process.stderr.write = stderrWrite;
    }
    assert.ok(Date.now() - startedAt < 700, `close took ${Date.now() - startedAt} ms`);
    assert.deepEqual([reporter.counts.get('dropped'), reporter.counts.get('pending')], [100, 0]);
  });
});

describe('CloudWatch sender: the rest of a backlog', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('goes once its slices stop arriving, in one batch, without waiting for the interval', async (t) => {
    // The clock is the test's: Date.now() and setTimeout move only when it ticks.
    mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1_000_000 });
    t.after(() => mock.timers.reset());
    const { api, puts, sent } = fakeApi();
    const sender = new CloudWatchSender(api, OPTIONS, countingReporter());
    enqueueNumbered(sender, 13_000); // a full batch of 10,000 and the first slice of the rest
    await turn();
    assert.equal(sent().length, 1);
    sent()[0]?.answer();
    await turn();

    // Another slice arrives before the quiet period has passed: the rest is still arriving.
    mock.timers.tick(BACKLOG_QUIET_MS - 2);
    for (let i = 13_000; i < 15_000; i++) sender.enqueue(Date.now(), String(i));
    mock.timers.tick(2);
    await turn();
    assert.equal(puts.length, 1, 'nothing sent while the slices keep coming');

    // Quiet for the whole period: the rest goes, long before the 60 s interval.
    mock.timers.tick(BACKLOG_QUIET_MS);
    await turn();
    assert.deepEqual(
      sent().map((put) => [firstMessage(put), put.events.length]),
      [
        ['0', 10_000],
        ['10000', 5_000],
      ],
    );
    sent()[1]?.answer();
    await sender.close(1000);
  });

  it('behind a batch that was not full, lines wait for the interval', async (t) => {
    mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1_000_000 });
    t.after(() => mock.timers.reset());
    const { api, sent } = fakeApi();
    const sender = new CloudWatchSender(api, { ...OPTIONS, flushIntervalMs: 1000 }, countingReporter());
    enqueueNumbered(sender, 10);
    mock.timers.tick(1000);
    await turn();
    assert.equal(sent().length, 1);
    sent()[0]?.answer();
    await turn();
    enqueueNumbered(sender, 10);
    mock.timers.tick(999);
    await turn();
    assert.equal(sent().length, 1, 'a slow trickle is gathered for the interval');
    mock.timers.tick(1);
    await turn();
    assert.equal(sent().length, 2);
    sent()[1]?.answer();
    await sender.close(1000);
  });
});
