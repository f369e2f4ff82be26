import { Writable } from 'node:stream';
import { readFlushMarker } from '../../src/wire/protocol.js';

/**
 * Where a line sits in the text the worker was handed: `chunk.slice(start, end)` is the line and
 * `chunk[end]` its newline. One object, updated in place for every line (valid only during the
 * call), so a sink that writes lines out as they came (stdout) can write runs of the chunk
 * instead of joining lines again.
 */
export interface LineSpan {
  chunk: string;
  /** Counts the chunks: lines with the same number were cut from the same chunk (no string compare needed). */
  chunkNumber: number;
  start: number;
  end: number;
}

/** What a sink does with its input. */
export interface LineHandlers {
  /**
   * An ordinary log line; `span` where it sits in its chunk, when it is exactly that text;
   * `prefixLevel` the level the router read from its first bytes (-1 when it does not start as
   * pino writes lines; undefined when not read). Must never await delivery: a stalled read loop
   * backs pino's pipe up into the app's thread.
   */
  onLine(line: string, span?: LineSpan, prefixLevel?: number): void;
  /** A flush marker: answer `flushId` once every line before it is delivered or counted. */
  onFlush(flushId: number): void;
  /** The worker is ending: deliver what is held, within the exit budget. */
  close(): Promise<void>;
  /** A throw in onLine/onFlush, reported instead of taking the worker down. */
  onError(error: unknown): void;
}

// thread-stream's worker hands its target one string per read of the shared buffer (whatever
// the app's thread had written, usually 64 KiB of lines). pino-abstract-transport would push
// that through split2, a Transform that encodes the string to a Buffer, decodes it again and
// pushes every line through an object-mode Readable (a 'data' event per line); here the chunk
// is cut at its newlines with indexOf and each line handed to the sink by a plain call.

/** What the worker cuts into lines in one turn of its loop, at most (plus the line that crosses it). */
const SLICE_CHARS = 256 * 1024;

/**
 * Text taken but not yet cut, past which write() says "wait for 'drain'". thread-stream then
 * leaves what follows in the shared buffer (src/handover/worker-stream.ts sets its size), and the
 * app's thread keeps its lines, until the worker has cut what it holds: the worker's heap holds
 * at most this much text in waiting, however far the app is ahead (docs/performance.md#memory).
 */
const HIGH_WATER_MARK_CHARS = 2 * 1024 * 1024;

/**
 * The worker's pino transport stream: cuts the text it is written into lines and hands each to
 * `sink`. Lines are handled on later turns of the worker's loop, a slice a turn: thread-stream
 * marks a chunk read once its write() returns true, so taking the chunk now and cutting it later
 * lets the app's thread copy the next chunk meanwhile; and a chunk may hold the whole shared
 * buffer, and several chunks may wait, which cut in one go would hold the worker's loop, the
 * request that ships the lines already queued (and the answer to the one in flight) waiting
 * behind it. A chunk's write is done (its callback called) once it is cut.
 */
export function lineTransport(sink: LineHandlers): Writable {
  /** The chunk being cut, where in it the next line starts, and the callback that says it is done. */
  let current = '';
  let currentAt = 0;
  let chunkDone: (() => void) | undefined;
  /** The end of the last chunk when it stopped mid-line. */
  let partial = '';
  let sliceScheduled = false;
  let closing: Promise<void> | undefined;
  const span: LineSpan = { chunk: '', chunkNumber: 0, start: 0, end: 0 };

  /** `line`, at `span` in its chunk when `inChunk`. */
  const handleLine = (line: string, inChunk: boolean): void => {
    // "\r\n" ends a line too, as split2 (pino-abstract-transport's splitter) reads it; pino never writes an empty line.
    const carriageReturn = line.charCodeAt(line.length - 1) === 13;
    const text = carriageReturn ? line.slice(0, -1) : line;
    if (text === '') return;
    try {
      const flushId = readFlushMarker(text);
      if (flushId >= 0) sink.onFlush(flushId);
      else sink.onLine(text, inChunk && !carriageReturn ? span : undefined);
    } catch (error) {
      sink.onError(error);
    }
  };

  /** Cuts lines from the current chunk, about `budgetChars` of it (all when Infinity); true when it is all cut. */
  const cut = (budgetChars: number): boolean => {
    const chunk = current;
    let start = currentAt;
    let end = chunk.indexOf('\n', start);
    if (start === 0 && end >= 0 && partial !== '') {
      const first = partial + chunk.slice(0, end);
      partial = '';
      handleLine(first, false);
      start = end + 1;
      end = chunk.indexOf('\n', start);
    }
    const stopAt = Math.min(chunk.length, currentAt + budgetChars);
    while (end >= 0) {
      span.start = start;
      span.end = end;
      handleLine(chunk.slice(start, end), true);
      start = end + 1;
      if (start >= stopAt) break;
      end = chunk.indexOf('\n', start);
    }
    if (end >= 0 && start < chunk.length) {
      currentAt = start;
      return false;
    }
    if (start < chunk.length) partial += chunk.slice(start);
    current = '';
    currentAt = 0;
    span.chunk = '';
    return true;
  };

  const cutSlice = (): void => {
    sliceScheduled = false;
    if (closing) return;
    if (!cut(SLICE_CHARS)) {
      scheduleSlice();
      return;
    }
    const done = chunkDone;
    chunkDone = undefined;
    done?.();
  };
  const scheduleSlice = (): void => {
    if (sliceScheduled) return;
    sliceScheduled = true;
    setImmediate(cutSlice);
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (current !== '') cut(Number.POSITIVE_INFINITY);
      chunkDone = undefined;
      // A last line without its newline is still a line.
      if (partial !== '') handleLine(partial, false);
      partial = '';
      await sink.close();
    })();
    return closing;
  };

  return new Writable({
    decodeStrings: false,
    highWaterMark: HIGH_WATER_MARK_CHARS,
    write(chunk: string | Buffer, _encoding, callback) {
      current = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      currentAt = 0;
      span.chunk = current;
      span.chunkNumber++;
      if (current === '') {
        callback();
        return;
      }
      chunkDone = callback;
      scheduleSlice();
    },
    // end(): deliver what is held, then 'finish' and 'close' (thread-stream ends the worker on 'close').
    final(callback) {
      close().then(() => callback(), callback);
    },
    // A stream destroyed without end() (an error) still closes its sink once.
    destroy(error, callback) {
      close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

/** How long a close may take: until the app's exit deadline, and never past thread-stream's own 10 s cut-off. */
export function closeBudgetMs(exitDeadline: number, exitTimeoutMs: number): number {
  const threadStreamLimitMs = 9000;
  const untilDeadline = exitDeadline > 0 ? exitDeadline - Date.now() : exitTimeoutMs;
  return Math.max(0, Math.min(untilDeadline, exitTimeoutMs, threadStreamLimitMs));
}
