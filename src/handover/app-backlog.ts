import { ChunkSlabs } from './chunk-slabs.js';
import type { TransportStream, WorkerStream } from './transport-stream.js';

// thread-stream copies lines into the worker's shared buffer only when the app's event loop
// turns (setImmediate). A loop that logs without yielding therefore queues every line on the
// app's thread (docs/benchmarks.md#the-app-threads-backlog). Past maxAppBacklogBytes within
// one turn, the lines are handed over synchronously (thread-stream's flushSync), so the app
// waits for the worker's CPU, at its pace. It never waits on the network: the worker's sinks queue
// and send on their own, without stalling the read loop. (thread-stream does the same on its
// own only at Node's string limit, ~512 MiB.)
//
// thread-stream also makes a Buffer of every write. Lines are therefore joined into chunks
// first: one Buffer per 64 KiB instead of one per line costs the log call less (a string append
// instead of an allocation and an encode) and holds a backlog in its bytes, not in hundreds of
// thousands of small Buffer objects.

/** Characters joined before they are handed to thread-stream as one write. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The worker's stream as the app's thread sees it: writes joined into chunks, the backlog
 * capped. Everything that writes to the worker (pino, flush markers, exit) goes through it,
 * so the order of lines and markers holds.
 */
export function boundAppBacklog(stream: WorkerStream, maxBacklogBytes: number): TransportStream {
  let pending = '';
  const slabs = new ChunkSlabs(2 * maxBacklogBytes);
  let handOverQueued = false;
  let backlogBytes = 0;
  // A worker that stops reading for thread-stream's 10 s makes flushSync throw; from then on
  // lines are queued as before rather than stall every log call, and that is said once.
  let flushSyncWorks = true;
  // The app holds nothing once thread-stream has copied every write into the shared buffer: a
  // backlog counted in an earlier turn does not count against the next one.
  stream.on('drain', () => {
    backlogBytes = 0;
  });

  function handOver(): void {
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    // write() says false once the lines held exceed the worker's free shared buffer. While a
    // backlog builds, chunks go in reusable slabs (chunk-slabs.ts).
    if (stream.write(backlogBytes > 0 ? slabs.encode(chunk) : chunk)) {
      backlogBytes = 0;
      return;
    }
    // Characters, not UTF-8 bytes: exact enough for a bound, and free to count.
    backlogBytes += chunk.length;
    if (backlogBytes >= maxBacklogBytes && flushSyncWorks) {
      backlogBytes = 0;
      try {
        stream.flushSync();
        slabs.copied();
      } catch (error) {
        flushSyncWorks = false;
        process.stderr.write(
          `logferry: the log worker did not keep up (${(error as Error).message}); lines now queue on the app's thread until it does\n`,
        );
      }
    }
  }

  // At the end of the current task, so lines logged by one request or one loop go together,
  // and thread-stream's own hand-over on the next turn sees them.
  function handOverQueuedLines(): void {
    handOverQueued = false;
    handOver();
  }

  const bounded: TransportStream = {
    write(line) {
      pending += line;
      if (pending.length >= CHUNK_CHARS) handOver();
      else if (!handOverQueued) {
        handOverQueued = true;
        queueMicrotask(handOverQueuedLines);
      }
      return true;
    },
    flushSync() {
      handOver();
      stream.flushSync();
      slabs.copied();
    },
    flush(callback) {
      handOver();
      stream.flush(callback);
    },
    end() {
      handOver();
      stream.end();
    },
    on(event: 'error' | 'close', listener: (error: Error) => void) {
      stream.on(event as 'error', listener);
      return bounded;
    },
    once(event: 'close', listener: () => void) {
      stream.once(event, listener);
      return bounded;
    },
    get closed() {
      return stream.closed;
    },
  };
  return bounded;
}
