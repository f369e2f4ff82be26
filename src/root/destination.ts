import pino from 'pino';
import type { RootState } from './state.js';

// The one place that swaps where the root logger writes after it was built (the worker failed,
// closeLogs() ran), that reads or sets a logger's destination for others (the buffer's shadow
// loggers), and that counts the lines written. Child loggers inherit the destination from
// the root, so a swap here reaches every logger. The count survives a swap: the Lambda wrapper
// skips a flush when nothing was logged since the last one that delivered everything, and a count
// that froze would make later invocations skip flushes they need.

/** What pino writes a line to. */
export interface Destination {
  write(line: string): unknown;
}

interface LineCount {
  written: number;
}

const counts = new WeakMap<RootState, LineCount>();

function destinationSlot(logger: object): Record<symbol, Destination | undefined> {
  return logger as Record<symbol, Destination | undefined>;
}

/** Where `logger` writes now (a child reads its root's, which a swap may have changed). */
export function destinationOf(logger: object): Destination | undefined {
  return destinationSlot(logger)[pino.symbols.streamSym];
}

/** Makes `logger` (a copy made with Object.create) write to `destination` instead of what it inherits. */
export function giveOwnDestination(logger: object, destination: Destination): void {
  Object.defineProperty(logger, pino.symbols.streamSym, { value: destination, writable: true, configurable: true });
}

function counting(destination: Destination, count: LineCount): Destination {
  return {
    write(line: string) {
      count.written++;
      return destination.write(line);
    },
  };
}

/**
 * Where lines go after closeLogs(): nowhere, said once on stderr at the first line, so a line
 * logged too late is neither a throw nor a silent loss.
 */
export function droppingAfterClose(): Destination {
  let told = false;
  return {
    write(): boolean {
      if (!told) {
        told = true;
        process.stderr.write('logferry: a line was logged after closeLogs(); it and later lines are ignored\n');
      }
      return true;
    },
  };
}

/** From now on every logger of `root` writes to `destination`, still counted when counting began. */
export function replaceDestination(root: RootState, destination: Destination): void {
  const count = counts.get(root);
  destinationSlot(root.logger)[pino.symbols.streamSym] = count ? counting(destination, count) : destination;
}

/**
 * A function returning the count of lines written by `root` since counting began, and whether
 * counting began just now (lines before it were not counted). Counted only for a root that asks
 * (the Lambda wrapper), so other processes pay nothing per line.
 */
export function linesWrittenCounter(root: RootState): { count: () => number; startedNow: boolean } {
  const existing = counts.get(root);
  if (existing !== undefined) return { count: () => existing.written, startedNow: false };
  const count: LineCount = { written: 0 };
  counts.set(root, count);
  const destination = destinationOf(root.logger);
  if (destination !== undefined) destinationSlot(root.logger)[pino.symbols.streamSym] = counting(destination, count);
  return { count: () => count.written, startedNow: true };
}
