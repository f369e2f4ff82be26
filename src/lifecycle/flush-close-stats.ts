import { LogferryArgumentError } from '../errors.js';
import type { TransportStream } from '../handover/transport-stream.js';
import { droppingAfterClose, replaceDestination } from '../root/destination.js';
import { closeBeforeStart, existingRootState, type RootState } from '../root/state.js';
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
  // Closed before the first logger: there never was anything to send.
  if (root.closed && !root.stream) return { ...nothingToFlush(), closed: true };
  const flushed = await flushRoot(root, timeoutMs);
  const closedWith = closeResults.get(root);
  // After closeLogs() nothing more can be sent: say so, with what the close itself came to.
  if (flushed.closed && closedWith) return { ...flushed, delivered: closedWith.delivered, settled: closedWith.settled };
  return flushed;
}

/**
 * Flushes, then stops the worker thread. Logging afterwards is a no-op (one notice on
 * stderr), never a throw; called before the first logger, every logger is such a no-op.
 * Default timeout: LOG_EXIT_TIMEOUT_MS. It returns within its timeout, and never blocks the
 * app's thread for it: the sinks end by its deadline. What is left undelivered is said on stderr.
 */
export async function closeLogs(timeoutMs?: number): Promise<FlushResult> {
  if (timeoutMs !== undefined) checkTimeout('closeLogs', timeoutMs);
  const root = existingRootState();
  if (!root) {
    closeBeforeStart();
    return nothingToFlush();
  }
  const budget = timeoutMs ?? root.config.exitTimeoutMs;
  const startedAt = Date.now();
  // The sinks take closeLogs' deadline for the exit's: they cut backoffs short and start nothing
  // past it, and when the worker is ended they close with what is left of it. Otherwise their
  // close would take LOG_EXIT_TIMEOUT_MS more, inside thread-stream's end(), which blocks.
  if (root.shared && !root.closed) setEndingDeadline(root, startedAt + budget, timeoutMs);
  const flushed = await flushRoot(root, budget);
  if (flushed.closed) return flushLogs(0);
  closeResults.set(root, flushed);
  reportEnding(flushed, 'closeLogs()', budget, Boolean(root.config.spool));
  const stream = root.stream;
  if (stream && !root.closed) {
    root.closed = true;
    const closed = new Promise<void>((resolve) => stream.once('close', resolve));
    // thread-stream's end() blocks until the worker has closed; a worker still starting (a
    // loaded machine, closeLogs() right after the first line) would hold the loop while it
    // starts. It is ended once started, and closeLogs() does not wait for that past its bound.
    void (root.workerReady ?? Promise.resolve()).then(() => endQuietly(stream));
    const remaining = Math.max(0, budget - (Date.now() - startedAt));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
    clearTimeout(timer);
    replaceDestination(root, droppingAfterClose());
  }
  return flushed;
}

/** Ends the stream; a worker that already died has said so (watchTransportErrors), and there is no caller to throw to. */
function endQuietly(stream: TransportStream): void {
  try {
    stream.end();
  } catch {
    // Nothing left to end.
  }
}

/** The earliest of the deadlines asked for so far: a later closeLogs() does not extend an earlier one. */
function setEndingDeadline(root: RootState, deadline: number, timeoutMs: number | undefined): void {
  const shared = root.shared;
  if (!shared) return;
  const current = shared.exitDeadline[0] ?? 0;
  if (current > 0 && current <= deadline) return;
  // The worker names the bound in force when it says what the deadline cut off.
  shared.closeBound[0] = timeoutMs ?? 0;
  shared.exitDeadline[0] = deadline;
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
