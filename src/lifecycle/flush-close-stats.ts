import { LogferryArgumentError } from '../errors.js';
import { replaceDestination } from '../root/destination.js';
import { existingRootState, type RootState } from '../root/state.js';
import type { SinkName } from '../wire/protocol.js';
import { reportEnding } from './ending-report.js';
import { type FlushResult, flushRoot, nothingToFlush, readStats, type SinkStats } from './flush.js';

// The app-facing lifecycle calls: flush, close, stats.

/** The result closeLogs() gave, returned again (as `closed`) by a flush after it. */
const closeResults = new WeakMap<RootState, FlushResult>();

/**
 * Resolves once every line logged before the call has been delivered by every sink
 * (written to stdout, accepted by CloudWatch, acknowledged by Bugsnag) or counted as dropped,
 * or when `timeoutMs` has passed; the result says which (`delivered`, `settled`, `dropped`,
 * `timedOut`, `closed`), per sink, with counters.
 */
export async function flushLogs(timeoutMs = 5000): Promise<FlushResult> {
  checkTimeout('flushLogs', timeoutMs);
  const root = existingRootState();
  if (!root) return nothingToFlush();
  const flushed = await flushRoot(root, timeoutMs);
  const closedWith = closeResults.get(root);
  // After closeLogs() nothing more can be sent: say so, with what the close itself came to.
  if (flushed.closed && closedWith) return { ...flushed, delivered: closedWith.delivered, settled: closedWith.settled };
  return flushed;
}

/**
 * Flushes, then stops the worker thread. Logging afterwards is a no-op (one notice on
 * stderr), never a throw. Default timeout: LOG_EXIT_TIMEOUT_MS. What is left undelivered
 * is also said on stderr.
 */
export async function closeLogs(timeoutMs?: number): Promise<FlushResult> {
  if (timeoutMs !== undefined) checkTimeout('closeLogs', timeoutMs);
  const root = existingRootState();
  if (!root) return nothingToFlush();
  const budget = timeoutMs ?? root.config.exitTimeoutMs;
  const startedAt = Date.now();
  const flushed = await flushRoot(root, budget);
  if (flushed.closed) return flushLogs(0);
  closeResults.set(root, flushed);
  reportEnding(flushed, 'closeLogs()', budget);
  const stream = root.stream;
  if (stream && !root.closed) {
    root.closed = true;
    const closed = new Promise<void>((resolve) => stream.once('close', resolve));
    stream.end();
    const remaining = Math.max(0, budget - (Date.now() - startedAt));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
    clearTimeout(timer);
    silenceAfterClose(root);
  }
  return flushed;
}

/** Swaps the destination for one that drops lines, saying so once on stderr. */
function silenceAfterClose(root: RootState): void {
  let told = false;
  const dropAfterClose = {
    write(): boolean {
      if (!told) {
        told = true;
        process.stderr.write('logferry: a line was logged after closeLogs(); it and later lines are ignored\n');
      }
      return true;
    },
  };
  replaceDestination(root, dropAfterClose);
}

/** Counters of every active sink: received, delivered, pending, dropped, retries, batches, failed requests, last error. */
export function logStats(): Partial<Record<SinkName, SinkStats>> {
  return readStats(existingRootState());
}

// A timeout that is not a number would make the wait unbounded (setTimeout treats it as 0 or
// ignores it): say so instead of hanging.
function checkTimeout(caller: string, timeoutMs: unknown): void {
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new LogferryArgumentError(`logferry: ${caller}(timeoutMs) takes a number of milliseconds >= 0, got ${String(timeoutMs)}`);
  }
}
