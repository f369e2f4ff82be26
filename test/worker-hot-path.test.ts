import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPrefixLevel, readPrefixTime, readPrefixTimeAfter } from '../src/wire/line-prefix.js';
import { utf8Bytes } from '../src/wire/utf8.js';
import type { BatchEvent } from '../transports/cloudwatch/batch-event.js';
import { EventQueue } from '../transports/cloudwatch/event-queue.js';
import { BODY_HEAD_ROOM, putLogEventsBody } from '../transports/cloudwatch/put-body.js';
import { type LineHandlers, type LineSpan, lineTransport } from '../transports/shared/line-source.js';

// The log worker's hot path, piece by piece: what each piece produces, never how fast.

const NASTY = [
  '{"level":30,"time":1764072000000,"msg":"plain"}',
  'quotes " and backslashes \\ and \\" together',
  'controls \u0000\u0001\b\t\n\u000b\f\r\u001f\u007f end',
  'é 日本 😀 and a lone surrogate \ud800 here',
  '',
  '</script>\u2028\u2029',
];

/** Whether two Buffers overlap in memory (small Buffers share one pool, so the same ArrayBuffer says nothing). */
function sharesMemory(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

/** The body as JSON.stringify writes it, for events of any kind. */
function bodyJson(group: string, stream: string, events: Array<{ timestamp: number; message: string }>): string {
  const logEvents = events.map(({ timestamp, message }) => ({ timestamp, message }));
  return JSON.stringify({ logGroupName: group, logStreamName: stream, logEvents });
}

describe('the PutLogEvents body written from queued bytes', () => {
  it('is byte for byte what JSON.stringify writes, for events cut from the queue', () => {
    const queue = new EventQueue(1024 * 1024);
    for (const [i, message] of NASTY.entries()) queue.push(1764072000000 + i, message, utf8Bytes(message), Date.now());
    const batch = queue.takeBatch(1764072000000 + 10);
    assert.ok(batch);
    // The queue holds UTF-8, so a lone surrogate is U+FFFD there, as Buffer.from makes it.
    const expected = JSON.stringify({
      logGroupName: 'g "1"',
      logStreamName: 's\\1',
      logEvents: NASTY.map((message, i) => ({ timestamp: 1764072000000 + i, message: Buffer.from(message).toString() })),
    });
    assert.equal(putLogEventsBody('g "1"', 's\\1', batch.events).toString(), expected);
    assert.deepEqual(
      batch.events.map((event) => event.message),
      NASTY.map((message) => Buffer.from(message).toString()),
    );
  });

  it('is what JSON.stringify writes for each half of a refused batch, and for events mixed with plain ones', () => {
    const queue = new EventQueue(1024 * 1024);
    for (const [i, message] of NASTY.entries()) queue.push(i, message, utf8Bytes(message), Date.now());
    const events = queue.takeBatch(Date.now())?.events ?? [];
    const expected = (list: Array<{ timestamp: number; message: string }>) =>
      JSON.stringify({ logGroupName: 'g', logStreamName: 's', logEvents: list.map(({ timestamp, message }) => ({ timestamp, message })) });
    const odd = [
      { timestamp: 1.5, message: 'a' },
      { timestamp: 0, message: 'b' },
      { timestamp: Number.NaN, message: 'c' },
    ];
    for (const part of [
      events.slice(0, 3),
      events.slice(3),
      [events[4], events[1]],
      [events[0], { timestamp: 9, message: 'plain "x"' }],
      odd,
    ]) {
      const list = part as Array<{ timestamp: number; message: string }>;
      assert.equal(putLogEventsBody('g', 's', list).toString(), expected(list));
    }
  });

  it('of a whole batch is a view of the buffer the batch was cut into, the same each time it is built', () => {
    const queue = new EventQueue(1024 * 1024);
    for (const [i, message] of NASTY.entries()) queue.push(i, message, utf8Bytes(message), Date.now());
    const events = queue.takeBatch(Date.now())?.events ?? [];
    const first = events[0] as BatchEvent;
    const expected = bodyJson('/aws/app', 'web-1', events);
    const body = putLogEventsBody('/aws/app', 'web-1', events);
    assert.equal(body.toString(), expected);
    assert.ok(sharesMemory(body, first.json.subarray(first.start, first.end)), 'no copy of the events');
    assert.equal(putLogEventsBody('/aws/app', 'web-1', events).toString(), expected);
  });

  it('keeps a batch and its halves apart, whichever body is built first', () => {
    const queue = new EventQueue(1024 * 1024);
    for (const [i, message] of NASTY.entries()) queue.push(i, message, utf8Bytes(message), Date.now());
    const events = queue.takeBatch(Date.now())?.events ?? [];
    const halves = [events.slice(0, 3), events.slice(3)];
    for (const order of [
      [events, ...halves, events],
      [halves[1], halves[0], events, halves[1]],
    ]) {
      for (const list of order) {
        const part = list as Array<{ timestamp: number; message: string }>;
        assert.equal(putLogEventsBody('g', 's', part).toString(), bodyJson('g', 's', part));
      }
    }
    assert.deepEqual(
      events.map((event) => event.message),
      NASTY.map((message) => Buffer.from(message).toString()),
    );
  });

  it('copies the events when the group and stream names need more room than a batch keeps', () => {
    const queue = new EventQueue(1024 * 1024);
    queue.push(1, 'one', 3, Date.now());
    const events = queue.takeBatch(Date.now())?.events ?? [];
    const group = `/"${'g'.repeat(BODY_HEAD_ROOM)}`;
    const body = putLogEventsBody(group, 's', events);
    assert.equal(body.toString(), bodyJson(group, 's', events));
    const first = events[0] as BatchEvent;
    assert.ok(!sharesMemory(body, first.json.subarray(first.start, first.end)));
  });

  it('is what JSON.stringify writes for plain events too', () => {
    const events = NASTY.map((message, i) => ({ timestamp: i, message }));
    const body = putLogEventsBody('g', 's', events);
    assert.deepEqual(JSON.parse(body.toString()), { logGroupName: 'g', logStreamName: 's', logEvents: events });
  });

  it('grows past its estimate when a batch is all control characters', () => {
    const message = '\u0001'.repeat(10_000);
    const queue = new EventQueue(1024 * 1024);
    for (let i = 0; i < 20; i++) queue.push(i, message, utf8Bytes(message), Date.now());
    const batch = queue.takeBatch(Date.now());
    const body = putLogEventsBody('g', 's', batch?.events ?? []);
    assert.equal(body.toString(), JSON.stringify({ logGroupName: 'g', logStreamName: 's', logEvents: batch?.events }));
    assert.equal(JSON.parse(body.toString()).logEvents[19].message, message);
  });
});

describe('reading the level and time at the start of a pino line', () => {
  it('reads both, and says -1 for a line that does not start the way pino writes', () => {
    assert.equal(readPrefixLevel('{"level":30,"time":1764072000000,"pid":1}'), 30);
    assert.equal(readPrefixTime('{"level":30,"time":1764072000000,"pid":1}'), 1764072000000);
    assert.equal(readPrefixLevel('{"time":1,"level":30}'), -1);
    assert.equal(readPrefixLevel('{"level":"info"}'), -1);
    assert.equal(readPrefixTime('{"level":30,"msg":"x"}'), -1);
    assert.equal(readPrefixTime('not json'), -1);
  });

  it('reads times of any length, and the time after a level already read', () => {
    for (const time of [0, 7, 123456789, 1234567890, 1764072000000, 9007199254740991])
      assert.equal(readPrefixTime(`{"level":30,"time":${time},"pid":1}`), time);
    assert.equal(readPrefixTimeAfter('{"level":100,"time":42}', 100), 42);
    assert.equal(readPrefixTimeAfter('{"level":5,"time":42', 5), 42);
    assert.equal(readPrefixTimeAfter('{"level":30,"time":42}', -1), -1);
    // A level pino would not write (a leading zero) is not read past: the caller reads the line whole.
    assert.equal(readPrefixTime('{"level":030,"time":42}'), -1);
    assert.equal(readPrefixTime('{"level":30,"time":"x"}'), -1);
  });
});

describe('the worker transport stream', () => {
  function recording() {
    const seen = { lines: [] as string[], spans: [] as Array<string | undefined>, flushes: [] as number[], closed: 0 };
    const handlers: LineHandlers = {
      onLine(line: string, span?: LineSpan) {
        seen.lines.push(line);
        seen.spans.push(span ? span.chunk.slice(span.start, span.end + 1) : undefined);
      },
      onFlush: (id) => seen.flushes.push(id),
      close: async () => {
        seen.closed++;
      },
      onError: (error) => assert.fail(String(error)),
    };
    return { seen, handlers };
  }

  it('cuts a chunk bigger than a slice over several turns of the loop, every line once and in order', async () => {
    const { seen, handlers } = recording();
    const stream = lineTransport(handlers);
    // ~1.2 MiB in one write, as thread-stream hands over a full shared buffer, ending mid-line.
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"level":30,"time":${i},"msg":"line ${i}"}`);
    stream.write(`${lines.join('\n')}\n{"level":30,"time":-1,"msg":"cut`);
    stream.write(' here"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // Some lines were handed to the sink on the first turns, not all of them.
    assert.ok(seen.lines.length > 0 && seen.lines.length < lines.length, `${seen.lines.length} lines after two turns`);
    stream.end();
    await new Promise((resolve) => stream.once('close', resolve));
    assert.deepEqual(seen.lines, [...lines, '{"level":30,"time":-1,"msg":"cut here"}']);
    assert.equal(seen.spans.filter((span) => span === undefined).length, 1);
  });

  it('cuts chunks into lines whatever the chunk boundaries, answers markers in order, and delivers a last line without newline at end', async () => {
    const { seen, handlers } = recording();
    const stream = lineTransport(handlers);
    for (const chunk of ['{"a":1}\n{"b"', ':2}\r\n', '\n{"level":1000,"time":1,"logferryFlush":7}\n{"c":3}\n{"d"', ':4}'])
      stream.write(chunk);
    stream.end();
    await new Promise((resolve) => stream.once('close', resolve));
    assert.deepEqual(seen.lines, ['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    assert.deepEqual(seen.flushes, [7]);
    assert.equal(seen.closed, 1);
    // A span is given only where the line is exactly that text of its chunk, newline after it.
    assert.deepEqual(seen.spans, ['{"a":1}\n', undefined, '{"c":3}\n', undefined]);
  });
});
