import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '../src/wire/cloudwatch-limits.js';
import { fitMessage } from '../src/wire/fit-line.js';
import { cutUtf8, utf8Bytes } from '../src/wire/utf8.js';
import { EventQueue } from '../transports/cloudwatch/event-queue.js';
import { classifyFailure, mayHaveBeenStored } from '../transports/cloudwatch/retry.js';
import { backoffMs } from '../transports/shared/backoff.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const fill = (queue: EventQueue, count: number, message = 'x', at = NOW) => {
  for (let i = 0; i < count; i++) queue.push(at, message, utf8Bytes(message), at);
};

describe('batcher: PutLogEvents limits', () => {
  it('at most 10,000 events per batch', () => {
    const queue = new EventQueue(64 * 1024 * 1024);
    fill(queue, 25_000);
    assert.deepEqual(
      [queue.takeBatch(NOW)?.events.length, queue.takeBatch(NOW)?.events.length, queue.takeBatch(NOW)?.events.length],
      [10_000, 10_000, 5000],
    );
    assert.equal(MAX_BATCH_EVENTS, 10_000);
  });

  it('at most 1,048,576 bytes counting UTF-8 bytes plus 26 per event, exactly', () => {
    const queue = new EventQueue(64 * 1024 * 1024);
    const message = 'é'.repeat(500); // 1,000 bytes in UTF-8, 500 UTF-16 units
    fill(queue, 2000, message);
    const batch = queue.takeBatch(NOW);
    const perEvent = 1000 + EVENT_OVERHEAD_BYTES;
    assert.equal(batch?.events.length, Math.floor(MAX_BATCH_BYTES / perEvent));
    assert.equal(batch?.bytes, (batch?.events.length ?? 0) * perEvent);
  });

  it('keeps the logged order and makes timestamps chronological when the clock stepped back', () => {
    const queue = new EventQueue(1024 * 1024);
    for (const [i, at] of [NOW, NOW + 5, NOW - 1000, NOW + 6].entries()) queue.push(at, `m${i}`, 2, NOW);
    const batch = queue.takeBatch(NOW + 10);
    assert.deepEqual(
      batch?.events.map((e) => e.message),
      ['m0', 'm1', 'm2', 'm3'],
    );
    assert.deepEqual(
      batch?.events.map((e) => e.timestamp),
      [NOW, NOW + 5, NOW + 5, NOW + 6],
    );
  });

  it('re-stamps events the service would reject (over 14 days old, over 2 hours ahead) and counts them', () => {
    const queue = new EventQueue(1024 * 1024);
    queue.push(NOW - 20 * 86_400_000, 'old', 3, NOW);
    queue.push(NOW + 3 * 3_600_000, 'future', 6, NOW);
    const batch = queue.takeBatch(NOW);
    assert.equal(batch?.restamped, 2);
    assert.deepEqual(
      batch?.events.map((e) => e.timestamp),
      [NOW, NOW],
    );
  });

  it('never spans more than 24 hours in one batch', () => {
    const queue = new EventQueue(1024 * 1024);
    queue.push(NOW - 3 * 86_400_000, 'three days ago', 14, NOW);
    queue.push(NOW, 'now', 3, NOW);
    assert.equal(queue.takeBatch(NOW)?.events.length, 1);
    assert.equal(queue.takeBatch(NOW)?.events.length, 1);
  });

  it('past its byte cap it drops the oldest and records how many and when', () => {
    const queue = new EventQueue(10 * (100 + EVENT_OVERHEAD_BYTES));
    // Logged a minute before they are queued: the record keeps both times.
    for (let i = 0; i < 15; i++) queue.push(NOW - 60_000 + i, `${i}`.padEnd(100, '.'), 100, NOW + i);
    assert.equal(queue.length, 10);
    assert.ok(queue.bytes <= 10 * (100 + EVENT_OVERHEAD_BYTES));
    assert.deepEqual(queue.takeDrops(), {
      count: 5,
      firstAt: NOW + 10,
      lastAt: NOW + 14,
      loggedFrom: NOW - 60_000,
      loggedUntil: NOW - 60_000 + 4,
    });
    assert.equal(queue.takeBatch(NOW)?.events[0]?.message.startsWith('5.'), true);
  });
});

describe('truncation', () => {
  it('cuts at a UTF-8 boundary, never inside a character or a surrogate pair', () => {
    assert.equal(cutUtf8('aé', 2), 'a');
    assert.equal(cutUtf8('a😀b', 4), 'a');
    assert.equal(cutUtf8('a😀b', 5), 'a😀');
    assert.equal(cutUtf8('日本', 5), '日');
  });

  it('a small line is left as it is', () => {
    assert.deepEqual(fitMessage('{"msg":"hi"}', 1000), { message: '{"msg":"hi"}', truncated: false });
  });

  it('shortens the longest string first and keeps msg, module and the small fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      module: 'api',
      msg: 'hello',
      small: 'keep me',
      big: 'b'.repeat(50_000),
      medium: 'm'.repeat(5000),
    });
    const { message, truncated } = fitMessage(line, 10_000);
    const parsed = JSON.parse(message);
    assert.equal(truncated, true);
    assert.ok(utf8Bytes(message) <= 10_000);
    assert.deepEqual([parsed.msg, parsed.module, parsed.small, parsed.medium.length], ['hello', 'api', 'keep me', 5000]);
    assert.match(parsed.big, /^b+…\[truncated by logferry: 50000 bytes\]$/);
    assert.equal(parsed.logferryTruncated.originalBytes, utf8Bytes(line));
  });

  it('accounts for JSON escaping (quotes, control characters, lone surrogates)', () => {
    const line = JSON.stringify({ msg: 'x', nasty: '"\n\u0001\ud800'.repeat(20_000) });
    const { message } = fitMessage(line, 8000);
    assert.ok(utf8Bytes(message) <= 8000);
    assert.equal(JSON.parse(message).msg, 'x');
  });

  it('a line of many small values becomes a skeleton that still parses', () => {
    const line = JSON.stringify({ msg: 'many', level: 30, values: Array.from({ length: 20_000 }, (_, i) => i) });
    const parsed = JSON.parse(fitMessage(line, 4096).message);
    assert.equal(parsed.msg, 'many');
    assert.equal(typeof parsed.head, 'string');
  });

  it('a line that is not JSON is cut at its tail with the marker', () => {
    const { message } = fitMessage('plain text '.repeat(1000), 2000);
    assert.ok(utf8Bytes(message) <= 2000);
    assert.match(message, /…\[truncated by logferry: 11000 bytes\]$/);
  });
});

describe('retry policy', () => {
  it('retries throttling, 5xx and network errors; creates on ResourceNotFound; splits on validation; stops on a denied creation', () => {
    assert.equal(classifyFailure({ name: 'ThrottlingException' }), 'retry');
    assert.equal(classifyFailure({ name: 'Whatever', $metadata: { httpStatusCode: 503 } }), 'retry');
    assert.equal(classifyFailure({ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up' }), 'retry');
    assert.equal(classifyFailure({ name: 'ResourceNotFoundException' }), 'missing-resource');
    assert.equal(classifyFailure({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } }), 'invalid-batch');
    assert.equal(classifyFailure({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }, true), 'fatal');
    assert.equal(classifyFailure(new Error('Region is missing')), 'fatal');
  });

  it('a failure without an answer after the request left may have stored the batch; an answer or a refused connection did not', () => {
    const requestTimeout = {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      message: 'a request has exceeded the configured 500 ms requestTimeout.',
    };
    assert.equal(mayHaveBeenStored(requestTimeout), true);
    assert.equal(mayHaveBeenStored({ code: 'ECONNRESET', message: 'socket hang up', $metadata: { attempts: 1 } }), true);
    assert.equal(mayHaveBeenStored({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } }), false);
    assert.equal(mayHaveBeenStored({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }), false);
    assert.equal(mayHaveBeenStored({ name: 'Error', message: 'getaddrinfo ENOTFOUND logs.example' }), false);
    const noConnection = {
      name: 'TimeoutError',
      message: 'the request socket did not establish a connection with the server within 5000 ms.',
    };
    assert.equal(mayHaveBeenStored(noConnection), false);
  });

  it('backs off exponentially with jitter, capped', () => {
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => backoffMs(n, () => 0)),
      [100, 200, 400, 800],
    );
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => backoffMs(n, () => 1)),
      [200, 400, 800, 1600],
    );
    assert.equal(
      backoffMs(30, () => 1),
      10_000,
    );
  });
});
