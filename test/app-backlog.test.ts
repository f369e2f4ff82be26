import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundAppBacklog } from '../src/handover/app-backlog.js';
import { ChunkSlabs } from '../src/handover/chunk-slabs.js';
import type { WorkerStream } from '../src/handover/transport-stream.js';

/**
 * thread-stream as the app's thread sees it: records calls; write() answers as told. Like
 * thread-stream it keeps what it is written (a Buffer as it is, not a copy) until it copies it
 * out, here at flushSync: `writes` is the text as it was copied, so bytes written over before
 * that would show.
 */
function fakeWorkerStream(accepts: () => boolean = () => true, copiesOnlyAtFlushSync = false) {
  const calls: string[] = [];
  const writes: string[] = [];
  const held: Array<string | Buffer> = [];
  const buffers = new Set<ArrayBufferLike>();
  let flushSyncError: Error | undefined;
  const drainListeners: Array<() => void> = [];
  const copyOut = () => {
    for (const data of held.splice(0)) writes.push(typeof data === 'string' ? data : data.toString('utf8'));
  };
  const stream: WorkerStream = {
    write(data) {
      calls.push('write');
      if (typeof data !== 'string') buffers.add(data.buffer);
      held.push(data);
      const accepted = accepts();
      if (accepted && !copiesOnlyAtFlushSync) copyOut();
      return accepted;
    },
    flushSync() {
      calls.push('flushSync');
      if (flushSyncError) throw flushSyncError;
      copyOut();
    },
    flush(callback) {
      calls.push('flush');
      callback();
    },
    end() {
      calls.push('end');
    },
    on(event, listener) {
      if (event === 'drain') drainListeners.push(() => listener(new Error('unused')));
      return stream;
    },
    once() {
      return stream;
    },
  };
  return {
    stream,
    calls,
    writes,
    buffers,
    copyOut,
    /** As thread-stream does once its async hand-over has copied everything held. */
    drain: () => {
      copyOut();
      for (const listener of drainListeners) listener();
    },
    failFlushSync: (error: Error) => {
      flushSyncError = error;
    },
  };
}

describe('the app-thread side of the worker stream', () => {
  it('joins the lines of one task into one write, in order, at the end of the task', async () => {
    const worker = fakeWorkerStream();
    const bounded = boundAppBacklog(worker.stream, 64 * 1024 * 1024);
    for (let i = 0; i < 100; i++) bounded.write(`{"seq":${i}}\n`);
    assert.equal(worker.writes.length, 0);
    await Promise.resolve();
    assert.equal(worker.writes.length, 1);
    assert.deepEqual(
      worker.writes[0]?.split('\n').filter(Boolean),
      Array.from({ length: 100 }, (_, i) => `{"seq":${i}}`),
    );
  });

  it('hands a long run of lines over in chunks of about 64 KiB as it goes', () => {
    const worker = fakeWorkerStream();
    const bounded = boundAppBacklog(worker.stream, 64 * 1024 * 1024);
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 10_000; i++) bounded.write(line);
    assert.equal(worker.writes.length, Math.floor(10_000 / Math.ceil((64 * 1024) / 100)));
    for (const chunk of worker.writes) assert.ok(chunk.length >= 64 * 1024 && chunk.length < 64 * 1024 + 100);
  });

  it('flushSync, flush and end hand over what is held first', () => {
    for (const method of ['flushSync', 'flush', 'end'] as const) {
      const worker = fakeWorkerStream();
      const bounded = boundAppBacklog(worker.stream, 64 * 1024 * 1024);
      bounded.write('before\n');
      if (method === 'flush') bounded.flush(() => undefined);
      else bounded[method]();
      assert.deepEqual(worker.calls, ['write', method]);
      assert.deepEqual(worker.writes, ['before\n']);
    }
  });

  it('past maxBacklogBytes held in the app it waits for the worker (flushSync), and says once if that fails', () => {
    const worker = fakeWorkerStream(() => false);
    const bounded = boundAppBacklog(worker.stream, 256 * 1024);
    const line = `${'y'.repeat(1023)}\n`;
    for (let i = 0; i < 64 * 5; i++) bounded.write(line);
    assert.equal(worker.calls.filter((call) => call === 'flushSync').length, 1);
    worker.failFlushSync(new Error('_flushSync took too long (10s)'));
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => stderr.push(text) > 0) as typeof process.stderr.write;
    try {
      for (let i = 0; i < 64 * 12; i++) bounded.write(line);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(worker.calls.filter((call) => call === 'flushSync').length, 2);
    assert.equal(stderr.length, 1);
    assert.match(stderr[0] ?? '', /did not keep up \(_flushSync took too long \(10s\)\)/);
  });

  it('a backlog the worker has taken since (drain) does not count against the next turn', () => {
    const worker = fakeWorkerStream(() => false);
    const bounded = boundAppBacklog(worker.stream, 256 * 1024);
    const line = `${'y'.repeat(1023)}\n`;
    // 192 KiB held in one turn: under the bound. thread-stream then hands it over on its own.
    for (let i = 0; i < 192; i++) bounded.write(line);
    worker.drain();
    for (let i = 0; i < 192; i++) bounded.write(line);
    assert.equal(worker.calls.filter((call) => call === 'flushSync').length, 0, "the second turn waited for the first one's lines");
    // Without a drain, the same two runs are one backlog past the bound.
    for (let i = 0; i < 192; i++) bounded.write(line);
    assert.equal(worker.calls.filter((call) => call === 'flushSync').length, 1);
  });

  it('a backlog is written into slabs, the same ones again after each flushSync, and every line arrives once, in order', () => {
    // Now and then the shared buffer has room (write() says true), but the bytes are copied
    // out only at flushSync, as thread-stream may copy them as late as that.
    let writes = 0;
    const worker = fakeWorkerStream(() => ++writes % 80 === 0, true);
    const maxBacklogBytes = 4 * 1024 * 1024;
    const bounded = boundAppBacklog(worker.stream, maxBacklogBytes);
    const lines = 400_000;
    for (let i = 0; i < lines; i++) bounded.write(`{"seq":${i},"text":"${'é€😀'[i % 3]}${'z'.repeat(i % 97)}"}\n`);
    bounded.flushSync();
    worker.copyOut();
    const arrived = worker.writes.join('').split('\n').filter(Boolean);
    assert.equal(arrived.length, lines);
    assert.deepEqual(
      arrived.map((line) => JSON.parse(line).seq),
      Array.from({ length: lines }, (_, i) => i),
    );
    // About 25 MiB of lines through a 4 MiB cap: several rounds, one set of slabs.
    assert.ok(worker.calls.filter((call) => call === 'flushSync').length >= 4);
    assert.ok(worker.buffers.size <= (maxBacklogBytes * 1.5) / (1024 * 1024) + 2, `${worker.buffers.size} slabs`);
  });
});

describe('chunk slabs', () => {
  it('a view stays as written until copied(); then the same memory is written again', () => {
    const slabs = new ChunkSlabs(64 * 1024 * 1024);
    const first = slabs.encode('a'.repeat(700_000)) as Buffer;
    const second = slabs.encode('b'.repeat(700_000)) as Buffer;
    assert.notEqual(first.buffer, second.buffer); // it did not fit beside the first
    assert.equal(first.toString(), 'a'.repeat(700_000));
    slabs.copied();
    const third = slabs.encode('c'.repeat(10)) as Buffer;
    assert.equal(third.buffer, first.buffer);
    assert.equal(third.byteOffset, first.byteOffset);
    assert.equal(second.toString(), 'b'.repeat(700_000));
  });

  it('past its bound without copied() it lets the slabs go rather than write over them', () => {
    const slabs = new ChunkSlabs(2 * 1024 * 1024);
    const views = Array.from({ length: 6 }, (_, i) => slabs.encode(String(i).repeat(900_000)) as Buffer);
    for (const [i, view] of views.entries()) assert.equal(view.toString(), String(i).repeat(900_000));
    assert.ok(slabs.heldBytes <= 3 * 1024 * 1024);
  });

  it('a chunk larger than a slab is left as text; the slabs are let go once the loop turns', async () => {
    const slabs = new ChunkSlabs(64 * 1024 * 1024);
    assert.equal(typeof slabs.encode('x'.repeat(2 * 1024 * 1024)), 'string');
    slabs.encode('small');
    assert.equal(slabs.heldBytes, 1024 * 1024);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(slabs.heldBytes, 0);
  });
});
