import { Writable } from 'node:stream';
import { readFlushMarker } from '../../src/wire.js';

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

/** More than thread-stream ever hands over at once, so write() says "go on" without waiting for 'drain'. */
const HIGH_WATER_MARK_CHARS = 64 * 1024 * 1024;

/**
 * The worker's pino transport stream: cuts the text it is written into lines and hands each to
 * `sink`. Lines are handled on the next turn of the worker's loop: thread-stream marks a chunk
 * read only once its write() returns, so taking the chunk now and cutting it later lets the
 * app's thread copy the next chunk meanwhile.
 */
export function lineTransport(sink: LineHandlers): Writable {
  let waiting: string[] = [];
  /** The end of the last chunk when it stopped mid-line. */
  let partial = '';
  let handleScheduled = false;
  let closing: Promise<void> | undefined;
  const span: LineSpan = { chunk: '', chunkNumber: 0, start: 0, end: 0 };

  /** `line`, at `span` in its chunk when `inChunk`. */
  const handleLine = (line: string, inChunk: boolean): void => {
    // split2, which this replaces, took "\r\n" too; pino never writes an empty line.
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

  const handleWaiting = (): void => {
    handleScheduled = false;
    const chunks = waiting;
    waiting = [];
    for (const chunk of chunks) {
      let start = 0;
      let end = chunk.indexOf('\n');
      if (end >= 0 && partial !== '') {
        const first = partial + chunk.slice(0, end);
        partial = '';
        handleLine(first, false);
        start = end + 1;
        end = chunk.indexOf('\n', start);
      }
      span.chunk = chunk;
      span.chunkNumber++;
      while (end >= 0) {
        span.start = start;
        span.end = end;
        handleLine(chunk.slice(start, end), true);
        start = end + 1;
        end = chunk.indexOf('\n', start);
      }
      span.chunk = '';
      if (start < chunk.length) partial += chunk.slice(start);
    }
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      handleWaiting();
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
      waiting.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (!handleScheduled) {
        handleScheduled = true;
        setImmediate(handleWaiting);
      }
      callback();
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
