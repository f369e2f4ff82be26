import build from 'pino-abstract-transport';
import { readFlushMarker } from '../../src/wire.js';

// Sinks read raw lines and parse only what they need: the per-line JSON.parse that
// pino-abstract-transport would do by default is skipped.
const NOT_PARSED = Object.freeze({});

/** What a sink does with its input. */
export interface LineHandlers {
  /** An ordinary log line. Must never await delivery: a stalled read loop backs pino's pipe up into the app's thread. */
  onLine(line: string): void;
  /** A flush marker: answer `flushId` once every line before it is delivered or counted. */
  onFlush(flushId: number): void;
  /** The worker is ending: deliver what is held, within the exit budget. */
  close(): Promise<void>;
  /** A throw in onLine/onFlush, reported instead of taking the worker down. */
  onError(error: unknown): void;
}

/**
 * A pino-abstract-transport stream that hands each raw line to its sink. Lines arrive by
 * 'data' events rather than `for await` (no promise per line), and are handled on the next
 * turn of the worker's loop: thread-stream marks a chunk read only once its write() returns,
 * so splitting now and handling later lets the app's thread copy the next chunk meanwhile.
 */
export function lineTransport(sink: LineHandlers) {
  let waiting: string[] = [];
  let handleScheduled = false;

  const handleWaiting = (): void => {
    handleScheduled = false;
    const lines = waiting;
    waiting = [];
    for (const line of lines) {
      try {
        const flushId = readFlushMarker(line);
        if (flushId >= 0) sink.onFlush(flushId);
        else sink.onLine(line);
      } catch (error) {
        sink.onError(error);
      }
    }
  };

  return build(
    (source) => {
      source.on('data', (line: string) => {
        waiting.push(line);
        if (!handleScheduled) {
          handleScheduled = true;
          setImmediate(handleWaiting);
        }
      });
    },
    {
      parse: 'lines',
      parseLine: () => NOT_PARSED,
      metadata: false,
      // Lines split but not yet handled go first. Returning the promise lets
      // pino-abstract-transport call back once it settles.
      close: () => {
        handleWaiting();
        return sink.close();
      },
    },
  );
}

/** How long a close may take: until the app's exit deadline, and never past thread-stream's own 10 s cut-off. */
export function closeBudgetMs(exitDeadline: number, exitTimeoutMs: number): number {
  const threadStreamLimitMs = 9000;
  const untilDeadline = exitDeadline > 0 ? exitDeadline - Date.now() : exitTimeoutMs;
  return Math.max(0, Math.min(untilDeadline, exitTimeoutMs, threadStreamLimitMs));
}
