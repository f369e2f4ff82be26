import build from 'pino-abstract-transport';

// Sinks read raw lines and parse only what they need: the per-line JSON.parse that
// pino-abstract-transport would do by default is skipped (pino's multistream already
// parsed each line once in this worker to route it).
const NOT_PARSED = Object.freeze({});

/**
 * A pino-abstract-transport stream that hands each raw line to `onLine`. Lines arrive by
 * 'data' events rather than `for await` (no promise per line), and `onLine` never awaits
 * delivery: a stalled read loop backs pino's pipe up into the app's thread. A throw in
 * `onLine` is reported through `onError` and never takes the worker down.
 */
export function lineTransport(onLine: (line: string) => void, close: () => Promise<void>, onError: (error: unknown) => void) {
  return build(
    (source) => {
      source.on('data', (line: string) => {
        try {
          onLine(line);
        } catch (error) {
          onError(error);
        }
      });
    },
    {
      parse: 'lines',
      parseLine: () => NOT_PARSED,
      metadata: false,
      // Returning the promise lets pino-abstract-transport call back once it settles.
      close: () => close(),
    },
  );
}

/** How long a close may take: until the app's exit deadline, and never past thread-stream's own 10 s cut-off. */
export function closeBudgetMs(exitDeadline: number, exitTimeoutMs: number): number {
  const threadStreamLimitMs = 9000;
  const untilDeadline = exitDeadline > 0 ? exitDeadline - Date.now() : exitTimeoutMs;
  return Math.max(0, Math.min(untilDeadline, exitTimeoutMs, threadStreamLimitMs));
}
