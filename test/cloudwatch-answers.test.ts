import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttemptCutOffError, AttemptTimeoutError } from '../src/errors.js';
import { dropReportLine } from '../transports/cloudwatch/drop-report.js';
import { BatchPieces, countRejected, MAX_REFUSALS_PER_BATCH } from '../transports/cloudwatch/refusals.js';
import { createStream, idempotentCreate } from '../transports/cloudwatch/resources.js';
import { classifyFailure, describeFailure, mayHaveBeenStored, refusalDelayMs, retryDelayMs } from '../transports/cloudwatch/retry.js';
import { Sleeper } from '../transports/shared/backoff.js';
import { BoundedAttempt } from '../transports/shared/bounded-attempt.js';

// What CloudWatch's answers mean and what is counted from them: pure pieces, with fakes.

const events = (count: number) => Array.from({ length: count }, (_, i) => ({ timestamp: i, message: String(i) }));
const sizes = (pieces: BatchPieces) => {
  const seen: number[] = [];
  // Walk without changing: only current is visible, so record it and accept.
  while (pieces.current) {
    seen.push(pieces.current.length);
    pieces.accepted();
  }
  return seen;
};

describe('answers: what a failure means', () => {
  it('413, a "too large" name or message split the batch; the SDK parse error of a 413 page is not the news', () => {
    const proxyPage = {
      name: 'SyntaxError',
      message: 'Unexpected token <',
      $metadata: { httpStatusCode: 413 },
      $response: { reason: 'Payload Too Large' },
    };
    assert.equal(classifyFailure(proxyPage), 'too-large');
    assert.equal(classifyFailure({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 400 } }), 'too-large');
    assert.equal(
      classifyFailure({
        name: 'InvalidParameterException',
        message: 'Upload too large: 1048577 bytes',
        $metadata: { httpStatusCode: 400 },
      }),
      'too-large',
    );
    assert.match(describeFailure(proxyPage), /^HTTP 413 Payload Too Large, answer that is not CloudWatch JSON/);
    assert.doesNotMatch(describeFailure(proxyPage), /^SyntaxError/);
  });

  it('a 2xx whose body was cut or unreadable is retried and may have stored the batch', () => {
    const cut = { name: 'Error', code: 'ECONNRESET', message: 'aborted', $metadata: { httpStatusCode: 200 }, $response: { reason: 'OK' } };
    const garbled = { name: 'SyntaxError', message: 'Unterminated string in JSON', $metadata: { httpStatusCode: 200 } };
    for (const failure of [cut, garbled]) {
      assert.equal(classifyFailure(failure), 'retry');
      assert.equal(mayHaveBeenStored(failure), true);
    }
    assert.match(describeFailure(cut), /^HTTP 200 OK, answer cut off \(ECONNRESET: aborted\)/);
  });

  it('credentials that expired or were denied retry on PutLogEvents, with a wait of a few seconds at most', () => {
    for (const name of ['ExpiredTokenException', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException']) {
      assert.equal(classifyFailure({ name, $metadata: { httpStatusCode: 400 } }), 'credentials', name);
    }
    assert.equal(classifyFailure({ name: 'SyntaxError', $metadata: { httpStatusCode: 403 } }), 'credentials');
    assert.equal(classifyFailure({ name: 'ExpiredTokenException' }, true), 'credentials', 'an expired token while creating still retries');
    assert.equal(
      retryDelayMs('credentials', 40, () => 1),
      3000,
    );
    assert.equal(
      retryDelayMs('retry', 40, () => 1),
      10_000,
    );
  });

  it('the attempt bound reads as a timeout that may have stored the batch', () => {
    const timeout = new AttemptTimeoutError(1000, 'requestTimeoutMs');
    assert.equal(classifyFailure(timeout), 'retry');
    assert.equal(mayHaveBeenStored(timeout), true);
    assert.match(describeFailure(timeout), /^TimeoutError: no complete answer within requestTimeoutMs \(1000 ms\)/);
  });

  it('the first refusal in a row is resent at once; refusals in a row are paced up to a second apart', () => {
    assert.equal(refusalDelayMs(1), 0);
    assert.deepEqual(
      [2, 3, 4].map((n) => refusalDelayMs(n, () => 1)),
      [100, 200, 400],
    );
    assert.equal(
      refusalDelayMs(50, () => 1),
      1000,
    );
  });
});

describe('refusals: what is counted', () => {
  it('rejected ranges count a head of too old or expired events and a tail of too new ones', () => {
    assert.equal(countRejected({}, 10), 0);
    assert.equal(countRejected({ tooOldLogEventEndIndex: 2 }, 10), 3);
    assert.equal(countRejected({ expiredLogEventEndIndex: 4, tooOldLogEventEndIndex: 1 }, 10), 5);
    assert.equal(countRejected({ tooNewLogEventStartIndex: 7 }, 10), 3);
    assert.equal(countRejected({ tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 8 }, 10), 5);
    assert.equal(countRejected({ tooOldLogEventEndIndex: 9, tooNewLogEventStartIndex: 0 }, 10), 10, 'never more than the batch');
  });

  it('a refused batch splits in halves, in order, and one bad event of 10,000 costs only itself', () => {
    const pieces = new BatchPieces(events(10_000));
    const bad = 6789;
    let requests = 0;
    let lost = 0;
    const delivered: number[] = [];
    while (pieces.current) {
      requests++;
      const piece = pieces.current;
      if (piece.some((event) => event.timestamp === bad)) lost += pieces.refused();
      else {
        delivered.push(...piece.map((event) => event.timestamp));
        pieces.accepted();
      }
    }
    assert.equal(lost, 1);
    assert.deepEqual(
      delivered,
      events(10_000)
        .map((event) => event.timestamp)
        .filter((t) => t !== bad),
    );
    assert.ok(requests <= 2 * MAX_REFUSALS_PER_BATCH, `${requests} requests`);
  });

  it('a batch refused whole costs at most MAX_REFUSALS_PER_BATCH requests, and every event is counted once', () => {
    for (const size of [1, 2, 500, 2000, 10_000]) {
      const pieces = new BatchPieces(events(size));
      let requests = 0;
      let lost = 0;
      while (pieces.current) {
        requests++;
        lost += pieces.refused();
      }
      assert.equal(lost, size, `size ${size}`);
      assert.ok(requests <= MAX_REFUSALS_PER_BATCH, `size ${size}: ${requests} requests`);
      assert.equal(pieces.remaining, 0);
    }
  });

  it('remaining counts what is left; abandon gives it all up', () => {
    const pieces = new BatchPieces(events(7));
    pieces.refused();
    assert.deepEqual([pieces.current?.length, pieces.remaining], [4, 7]);
    pieces.accepted();
    assert.equal(pieces.remaining, 3);
    assert.equal(pieces.abandon(), 3);
    assert.deepEqual(sizes(pieces), []);
  });

  it('the drop-report line says how many lines, when they were logged and dropped, and by which process, as a pino warn line', () => {
    const drops = {
      count: 42,
      firstAt: Date.UTC(2026, 0, 1),
      lastAt: Date.UTC(2026, 0, 1, 0, 1),
      loggedFrom: Date.UTC(2025, 11, 31, 23, 50),
      loggedUntil: Date.UTC(2025, 11, 31, 23, 55),
    };
    const line = JSON.parse(dropReportLine(drops, 4096, 5, { pid: 4242, hostname: 'web-1', logStream: 'web-1-stream' }));
    assert.equal(line.level, 40);
    assert.equal(line.time, 5);
    assert.equal(line.droppedLines, 42);
    assert.equal(line.droppedFrom, '2026-01-01T00:00:00.000Z');
    assert.equal(line.droppedUntil, '2026-01-01T00:01:00.000Z');
    assert.equal(line.droppedLoggedFrom, '2025-12-31T23:50:00.000Z');
    assert.equal(line.droppedLoggedUntil, '2025-12-31T23:55:00.000Z');
    assert.deepEqual([line.droppedByPid, line.droppedByHost, line.droppedLogStream], [4242, 'web-1', 'web-1-stream']);
    assert.match(
      line.msg,
      /^logferry dropped 42 lines logged between 2025-12-31T23:50.* by pid 4242 on web-1 \(stream web-1-stream\), dropped between .* maxQueueBytes \(4096\)/,
    );
  });
});

describe('resources: creating the stream', () => {
  const named = (name: string) => Object.assign(new Error(name), { name });

  it('a create that finds the thing already there succeeded too; other failures pass through', async () => {
    assert.equal(await idempotentCreate(async () => undefined), 'created');
    assert.equal(
      await idempotentCreate(async () => {
        throw named('ResourceAlreadyExistsException');
      }),
      'existed',
    );
    await assert.rejects(
      idempotentCreate(async () => {
        throw named('AccessDeniedException');
      }),
      /AccessDeniedException/,
    );
  });

  it('a missing group is created first, with retention only when this sink created it', async () => {
    const calls: string[] = [];
    let groupExists = false;
    const fake = (groupAlreadyThere: boolean) => ({
      createLogGroup: async () => {
        calls.push('group');
        // Already there: another process created it between our two calls.
        const existed = groupAlreadyThere;
        groupExists = true;
        if (existed) throw named('ResourceAlreadyExistsException');
      },
      createLogStream: async () => {
        calls.push('stream');
        if (!groupExists) throw named('ResourceNotFoundException');
      },
      putRetentionPolicy: async (days: number) => void calls.push(`retention ${days}`),
    });
    await createStream(fake(false), { logGroupName: '/g', createGroup: true, retentionDays: 7 });
    assert.deepEqual(calls, ['stream', 'group', 'retention 7', 'stream']);
    calls.length = 0;
    groupExists = false;
    await createStream(fake(true), { logGroupName: '/g', createGroup: true, retentionDays: 7 });
    assert.deepEqual(calls, ['stream', 'group', 'stream'], 'an existing group keeps its owners’ retention');
    groupExists = false;
    await assert.rejects(createStream(fake(false), { logGroupName: '/g', createGroup: false }), { name: 'LogGroupMissing' });
  });
});

describe('bounded waits', () => {
  it('an attempt that runs out is aborted as a whole and rejects with a timeout, even when the request ignores its signal', async () => {
    const attempt = new BoundedAttempt(new AbortController().signal);
    const never = new Promise<never>(() => undefined);
    const startedAt = Date.now();
    await assert.rejects(attempt.run(never, 50, 'requestTimeoutMs'), AttemptTimeoutError);
    assert.ok(Date.now() - startedAt < 1000);
    assert.equal(attempt.signal.aborted, true, 'the signal handed to the client is aborted, so it releases the socket');
  });

  it('the outer signal (the exit deadline) cuts an attempt off at once', async () => {
    const outer = new AbortController();
    const attempt = new BoundedAttempt(outer.signal);
    const running = attempt.run(new Promise<never>(() => undefined), 60_000, 'requestTimeoutMs');
    outer.abort();
    await assert.rejects(running, AttemptCutOffError);
  });

  it('a backoff sleep under way ends when it is cut short, and later sleeps end by the deadline', async () => {
    const sleeper = new Sleeper();
    const startedAt = Date.now();
    const long = sleeper.sleep(60_000);
    sleeper.cutShort(Date.now() + 100);
    await long;
    assert.ok(Date.now() - startedAt < 1000, 'the sleep under way ended');
    const bounded = Date.now();
    await sleeper.sleep(60_000);
    assert.ok(Date.now() - bounded < 1000, 'a later sleep ended by the deadline');
  });
});
