import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundAppBacklog } from '../src/app-backlog.js';
import type { TransportStream } from '../src/root.js';

/** thread-stream as the app's thread sees it: records calls; write() answers as told. */
function fakeWorkerStream(accepts: () => boolean = () => true) {
  const calls: string[] = [];
  const writes: string[] = [];
  let flushSyncError: Error | undefined;
  const stream: TransportStream = {
    write(data) {
      calls.push('write');
      writes.push(data);
      return accepts();
    },
    flushSync() {
      calls.push('flushSync');
      if (flushSyncError) throw flushSyncError;
    },
    flush(callback) {
      calls.push('flush');
      callback();
    },
    end() {
      calls.push('end');
    },
    on() {
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
});
