import build from 'pino-abstract-transport';

// Sinks read raw lines and parse only what they need: the per-line JSON.parse that
// pino-abstract-transport would do by default is skipped (pino's multistream already
// parsed each line once in this worker to route it).
const NOT_PARSED = Object.freeze({});

export type LineSource = AsyncIterable<string>;

/**
 * A pino-abstract-transport stream fed raw lines. `consume` must never throw and must never
 * await delivery: a stalled read loop backs pino's pipe up into the app's thread.
 */
export function lineTransport(consume: (source: LineSource) => Promise<void>, close: () => Promise<void>) {
  return build(
    async (source) => {
      await consume(source as LineSource);
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
