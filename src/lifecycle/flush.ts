import type { RootState } from '../root/state.js';
import {
  flushMarkerLine,
  readLastError,
  type SharedState,
  type SinkName,
  STAT_FIELDS,
  type StatField,
  sinkSlot,
  statIndex,
} from '../wire/protocol.js';

// Flush acknowledgements: a marker line goes down the same pipe as the log lines, every
// sink answers it in shared memory once everything before it is settled (delivered, or
// counted as dropped), and the app's thread waits on that memory: with Atomics.waitAsync for
// flushLogs(), with a blocking Atomics.wait at 'exit' (an exit listener cannot await).

/** A sink's counters, as its worker publishes them. */
export type SinkStats = Record<StatField, number> & { lastError?: string };

/** One sink's answer to a flush. */
export interface SinkFlushState extends SinkStats {
  /** Every line logged before the flush reached this sink's end: delivered, or counted as dropped or rejected. */
  settled: boolean;
  /** The older name of `settled`, kept for existing callers. */
  flushed: boolean;
  /** Lines (or events) this sink dropped or had refused since the previous flush result. `dropped` and `rejected` are the totals since start. */
  droppedSinceLastFlush: number;
}

/** What flushLogs() and closeLogs() resolve with. */
export interface FlushResult {
  /** Every active sink delivered every line logged before the call: settled, and none dropped or refused. */
  delivered: boolean;
  /** Every active sink answered: each line logged before the call is delivered or counted as dropped. */
  settled: boolean;
  /**
   * Lines dropped or refused by any sink since the previous flush result (never to arrive, counted
   * in each sink's `dropped` or `rejected`). It can include lines logged after the call that were
   * dropped before the answer came; it never leaves out one logged before it.
   */
  dropped: number;
  /** Time ran out before every sink answered. */
  timedOut: boolean;
  /** Logging was already closed (closeLogs() or a signal): nothing more could be flushed. */
  closed: boolean;
  /** How long the flush took. */
  elapsedMs: number;
  /** Per active sink (inactive sinks are absent). */
  sinks: Partial<Record<SinkName, SinkFlushState>>;
}

/** The result when there is nothing to flush: no logger yet, or one that logs nothing. */
export function nothingToFlush(): FlushResult {
  return { delivered: true, settled: true, dropped: 0, timedOut: false, closed: false, elapsedMs: 0, sinks: {} };
}

/** The counters of every active sink. */
export function readStats(root: RootState | undefined): Partial<Record<SinkName, SinkStats>> {
  const stats: Partial<Record<SinkName, SinkStats>> = {};
  if (!root?.shared) return stats;
  for (const sink of root.sinks) stats[sink] = readSinkStats(root.shared, sink);
  return stats;
}

function readSinkStats(shared: SharedState, sink: SinkName): SinkStats {
  const stats = {} as SinkStats;
  for (const field of STAT_FIELDS) stats[field] = shared.stats[statIndex(sink, field)] ?? 0;
  const lastError = readLastError(shared, sink);
  if (lastError !== undefined) stats.lastError = lastError;
  return stats;
}

/** Per root: each sink's dropped + rejected as of the last result, so a result counts what is new since. */
const lossReported = new WeakMap<RootState, Partial<Record<SinkName, number>>>();

interface FlushStart {
  startedAt: number;
  deadline: number;
  /** The losses already reported when this flush began: concurrent flushes each count what is new to them. */
  lossBefore: Partial<Record<SinkName, number>>;
}

function start(root: RootState, timeoutMs: number): FlushStart {
  const startedAt = Date.now();
  return { startedAt, deadline: startedAt + timeoutMs, lossBefore: { ...lossReported.get(root) } };
}

/** Sends a marker down the pipe; returns its id, or undefined when there is no worker to ask. */
function sendMarker(root: RootState): number | undefined {
  if (!root.stream || root.closed || root.stream.closed) return undefined;
  const id = ++root.nextFlushId;
  try {
    root.stream.write(flushMarkerLine(id));
    return id;
  } catch {
    return undefined;
  }
}

function acknowledged(shared: SharedState, sink: SinkName, id: number): boolean {
  return Atomics.load(shared.acks, sinkSlot(sink)) >= id;
}

/** Reads the answer of flush `id` (undefined: no marker could be sent) once waiting has ended. */
function result(root: RootState, id: number | undefined, since: FlushStart): FlushResult {
  const shared = root.shared;
  if (!shared || (id === undefined && !root.stream)) return { ...nothingToFlush(), elapsedMs: Date.now() - since.startedAt };
  const reported = lossReported.get(root) ?? {};
  const sinks: FlushResult['sinks'] = {};
  let settled = true;
  let dropped = 0;
  for (const sink of root.sinks) {
    const stats = readSinkStats(shared, sink);
    const done = id !== undefined && acknowledged(shared, sink, id);
    const loss = stats.dropped + stats.rejected;
    const lostNow = Math.max(0, loss - (since.lossBefore[sink] ?? 0));
    reported[sink] = Math.max(loss, reported[sink] ?? 0);
    settled &&= done;
    dropped += lostNow;
    sinks[sink] = { ...stats, settled: done, flushed: done, droppedSinceLastFlush: lostNow };
  }
  lossReported.set(root, reported);
  const now = Date.now();
  return {
    delivered: settled && dropped === 0,
    settled,
    dropped,
    timedOut: id !== undefined && !settled && now >= since.deadline,
    closed: id === undefined,
    elapsedMs: now - since.startedAt,
    sinks,
  };
}

/** How long past a flush's deadline its keep-alive timer runs (cleared as soon as the wait ends). */
const KEEP_ALIVE_MARGIN_MS = 1000;

export async function flushRoot(root: RootState, timeoutMs: number): Promise<FlushResult> {
  const since = start(root, timeoutMs);
  const deadline = since.deadline;
  const id = sendMarker(root);
  const shared = root.shared;
  if (id === undefined || !shared) return result(root, id, since);
  // Atomics.waitAsync alone does not keep the event loop alive; this timer does. It outlasts the
  // deadline: a timer due at the deadline could fire just before the wait's own timeout, leaving
  // nothing to keep the loop alive, and the process would end with the flush unanswered.
  const keepAlive = setTimeout(() => {}, timeoutMs + KEEP_ALIVE_MARGIN_MS);
  try {
    for (const sink of root.sinks) {
      const slot = sinkSlot(sink);
      for (;;) {
        const seen = Atomics.load(shared.acks, slot);
        const remaining = deadline - Date.now();
        if (seen >= id || remaining <= 0) break;
        const wait = Atomics.waitAsync(shared.acks, slot, seen, remaining);
        if (wait.async) await wait.value;
      }
    }
  } finally {
    clearTimeout(keepAlive);
  }
  return result(root, id, since);
}

/** Blocks the app's thread until every sink has settled, or the timeout passes. For 'exit' only. */
export function flushRootSync(root: RootState, timeoutMs: number): FlushResult {
  const since = start(root, timeoutMs);
  const deadline = since.deadline;
  const id = sendMarker(root);
  const shared = root.shared;
  if (id === undefined || !shared || !root.stream) return result(root, id, since);
  // Set first: stdout written by the app's thread writes within it in flushSync().
  shared.exitDeadline[0] = deadline;
  try {
    // thread-stream may still hold the marker in the app's thread: hand it to the worker now.
    root.stream.flushSync();
  } catch {
    // The worker is gone or stuck; the waits below are bounded and report what is missing.
  }
  for (const sink of root.sinks) {
    const slot = sinkSlot(sink);
    for (;;) {
      const seen = Atomics.load(shared.acks, slot);
      const remaining = deadline - Date.now();
      if (seen >= id || remaining <= 0) break;
      Atomics.wait(shared.acks, slot, seen, remaining);
    }
  }
  return result(root, id, since);
}
