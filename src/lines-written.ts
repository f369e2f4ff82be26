import pino from 'pino';
import type { RootState } from './root.js';

// How many lines the root logger has handed to its destination. Counted only for a root that
// asks (the Lambda wrapper): it lets a flush be skipped when nothing was logged since the last
// one that delivered everything, so an invocation that logged nothing waits on nothing.

const counters = new WeakMap<RootState, () => number>();

/**
 * A function returning the count of lines written by `root` since counting began, and whether
 * counting began just now (lines before it were not counted). Installed once per root, around
 * the destination pino writes to; child loggers share it.
 */
export function linesWrittenCounter(root: RootState): { count: () => number; startedNow: boolean } {
  const existing = counters.get(root);
  if (existing !== undefined) return { count: existing, startedNow: false };
  const logger = root.logger as unknown as Record<symbol, { write(line: string): unknown } | undefined>;
  const destination = logger[pino.symbols.streamSym];
  let written = 0;
  if (destination !== undefined) {
    logger[pino.symbols.streamSym] = {
      write(line: string) {
        written++;
        return destination.write(line);
      },
    };
  }
  const count = (): number => written;
  counters.set(root, count);
  return { count, startedNow: true };
}
