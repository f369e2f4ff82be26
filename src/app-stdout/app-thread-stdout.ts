import { EventEmitter } from 'node:events';
import { isMainThread } from 'node:worker_threads';
import pino from 'pino';
import type { TransportStream } from '../handover/transport-stream.js';
import { readPrefixLevel } from '../wire/line-prefix.js';
import { LEVELS, readFlushMarker, type SharedState } from '../wire/protocol.js';
import { receivedLineCounter, sinkReporterOver } from '../wire/sink-reporter.js';
import { type HeldChunk, StdoutChunks, type WaitBound, type WriteOutcome } from './stdout-chunks.js';

// stdout written by the app's thread, with no log worker: in production JSON mode when stdout is
// the only sink, when the worker's code is missing, and after the worker died.
//
// A log call only appends its line to a chunk in memory. The chunks are written later in the
// same turn of the event loop (setImmediate), each in one write. stdout is made non-blocking
// (see nonBlockingStdout), so a write takes what the pipe has room for and never waits; when a
// reader is slow or paused the write says EAGAIN, and the next attempt waits on a timer that
// backs off, so a stalled pipe costs a few syscalls a second, not a spinning CPU.
// What waits is capped (LOG_MAX_APP_BACKLOG_BYTES, as the worker's backlog): while the reader
// lags, a line that does not fit is dropped and counted. The app waits on a write only at exit
// (bounded by LOG_EXIT_TIMEOUT_MS) and in a loop that fills the cap without yielding
// (STALLED_AFTER_MS).

/** Slowest retry of a write the pipe refused; the first comes sooner, then each waits twice as long. */
const RETRY_MAX_MS = 100;
const RETRY_FIRST_MS = 2;
/**
 * A loop that holds the whole backlog in one turn, without yielding, is written while it waits,
 * as the worker's backlog is handed over: it then proceeds at the reader's pace. A reader that
 * takes nothing for this long is stalled, and lines that do not fit are dropped instead.
 */
const STALLED_AFTER_MS = 1000;

/** What the app-thread stdout needs besides the lines. */
export interface AppThreadStdoutOptions {
  /** Lines below this level (LOG_LEVEL_CONSOLE) are not written. */
  minLevel: number;
  /** What may wait, in characters of the open chunk and bytes of closed ones (LOG_MAX_APP_BACKLOG_BYTES). */
  maxBacklogChars: number;
  /** Where the stdout sink's counters and flush answers are published, as the worker's sink does. */
  shared: SharedState;
  /** The exit bound (LOG_EXIT_TIMEOUT_MS), when the exit has not set a deadline of its own. */
  exitTimeoutMs: number;
  /** 1 unless a test says otherwise. */
  fd?: number;
}

/** The app-thread stdout: a pino destination and the stream src/lifecycle/flush.ts and exit.ts drive. */
export function appThreadStdout(options: AppThreadStdoutOptions): TransportStream {
  const fd = options.fd ?? 1;
  const keepNonBlocking = fd === 1 ? nonBlockingStdout() : () => {};
  const { shared, minLevel, maxBacklogChars } = options;
  // Counters, flush answers and notices as the worker's stdout sink publishes them.
  const reporter = sinkReporterOver(shared, 'stdout');
  const countReceivedLine = receivedLineCounter(shared, 'stdout');
  const events = new EventEmitter();

  const chunks = new StdoutChunks(fd, {
    delivered(lines) {
      reporter.add('delivered', lines);
      reporter.add('pending', -lines);
    },
    failed(chunk: HeldChunk, error: NodeJS.ErrnoException) {
      reporter.add('dropped', chunk.lines);
      reporter.add('pending', -chunk.lines);
      reporter.error(`stdout write failed: ${error.message}`);
      reporter.reportOnce(
        'write',
        `logferry: writing to stdout failed (${error.code ?? error.message}); lines that cannot be written are dropped and counted in logStats().stdout`,
      );
    },
    answered(flushId) {
      reporter.acknowledge(flushId);
    },
  });

  // Lines are written once per turn while the pipe takes them; once it refuses one, only by the timer.
  let writeQueued = false;
  let stalled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = RETRY_FIRST_MS;
  let retryAt = 0;
  let ending = false;
  let closed = false;

  function afterWrite(outcome: WriteOutcome): void {
    if (outcome === 'written') {
      stalled = false;
      retryMs = RETRY_FIRST_MS;
      if (ending && chunks.empty && !closed) {
        closed = true;
        process.nextTick(() => events.emit('close'));
      }
      return;
    }
    // Full: writes wait for the timer. A reader that took something is retried soon; one that
    // took nothing, a little later each time.
    stalled = true;
    if (outcome === 'partial') retryMs = RETRY_FIRST_MS;
    retryAt = Date.now() + retryMs;
    if (retryTimer === undefined) {
      retryTimer = setTimeout(retryWrite, retryMs);
      // A paused reader must not keep the process alive: the exit writes what is left, within its bound.
      retryTimer.unref();
    }
    if (outcome === 'refused') retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function writeHeld(bound: WaitBound): WriteOutcome {
    if (!chunks.empty) keepNonBlocking();
    return chunks.write(bound);
  }

  function writeQueuedLines(): void {
    writeQueued = false;
    afterWrite(writeHeld({ idleMs: 0 }));
  }

  function retryWrite(): void {
    retryTimer = undefined;
    afterWrite(writeHeld({ idleMs: 0 }));
  }

  function queueWrite(): void {
    if (writeQueued || stalled) return;
    writeQueued = true;
    setImmediate(writeQueuedLines);
  }

  /** A line over the cap: written now if the pipe takes it (the loop did not yield), else dropped. */
  function overCap(line: string): boolean {
    if (!stalled) afterWrite(writeHeld({ idleMs: STALLED_AFTER_MS }));
    else if (Date.now() >= retryAt) afterWrite(writeHeld({ idleMs: 0 }));
    if (chunks.heldChars + line.length <= maxBacklogChars) return true;
    reporter.add('received');
    reporter.add('dropped');
    reporter.reportOnce(
      'cap',
      `logferry: stdout is not taking lines as fast as they are logged (its reader is slow or paused): LOG_MAX_APP_BACKLOG_BYTES (${maxBacklogChars}) of lines wait, so further lines are dropped until it catches up, counted in logStats().stdout`,
    );
    return false;
  }

  const filtering = minLevel > LEVELS.trace;
  const stream: LevelledStream = {
    write(line) {
      if (closed) return true;
      // Only a short line can be a flush marker: a log line is not read (that would flatten it).
      if (line.length <= MAX_MARKER_CHARS) {
        const flushId = readFlushMarker(line);
        if (flushId >= 0) {
          chunks.mark({ flushId });
          queueWrite();
          return true;
        }
      }
      if (filtering) {
        // pino sets lastLevel before each write when the stream asks (below). A wrapper in between
        // (the Lambda adapter's line counter) leaves it unset: then the line's prefix is read.
        const level = stream.lastLevel ?? readPrefixLevel(line);
        stream.lastLevel = undefined;
        if (level < minLevel) return true;
      }
      if (chunks.heldChars + line.length > maxBacklogChars && !overCap(line)) return true;
      chunks.append(line);
      countReceivedLine();
      queueWrite();
      return true;
    },
    flushSync() {
      const deadline = reporter.exitDeadline() || Date.now() + options.exitTimeoutMs;
      afterWrite(writeHeld({ idleMs: Number.POSITIVE_INFINITY, until: deadline }));
    },
    flush(callback) {
      chunks.mark({ callback });
      queueWrite();
    },
    end() {
      ending = true;
      afterWrite(writeHeld({ idleMs: 0 }));
    },
    on(event: 'error' | 'close', listener: (error: Error) => void) {
      events.on(event, listener);
      return stream;
    },
    once(event: 'close', listener: () => void) {
      events.once(event, listener);
      return stream;
    },
    get closed() {
      return closed;
    },
  };
  // pino's multistream flag: pino then sets lastLevel (and lastObj, lastMsg…) before each write.
  if (filtering) (stream as unknown as Record<symbol, boolean>)[pino.symbols.needsMetadataGsym] = true;
  return stream;
}

/** The stream, with what pino tells a stream that asks for metadata. */
interface LevelledStream extends TransportStream {
  lastLevel?: number | undefined;
}

/** The longest flush marker line: `{"level":1000,"time":<13 digits>,"logferryFlush":<10 digits>}` and a newline. */
const MAX_MARKER_CHARS = 64;

/**
 * Node opens fd 1 as a non-blocking socket when process.stdout is first read, if it is a pipe or
 * a socket (a file or a terminal it leaves blocking: writes to those do not wait on a reader).
 * Reading it here, before the first write, means a full pipe answers EAGAIN instead of holding
 * the app's thread. Only the main thread: a worker's process.stdout is a relay, not fd 1.
 * A child spawned with stdio 'inherit' makes the pipe blocking again (libuv clears the flag in
 * the child, on the pipe both share), so the returned function sets it again before each write:
 * one ioctl.
 */
function nonBlockingStdout(): () => void {
  const nothing = (): void => {};
  if (!isMainThread) return nothing;
  try {
    const stdout = process.stdout as unknown as { _type?: string; _handle?: { setBlocking?(blocking: boolean): number } };
    const handle = stdout._type === 'pipe' ? stdout._handle : undefined;
    if (handle === undefined || typeof handle.setBlocking !== 'function') return nothing;
    return () => {
      handle.setBlocking?.(false);
    };
  } catch {
    // No stdout at all: the writes will say so.
    return nothing;
  }
}
