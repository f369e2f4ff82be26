import type { RootState } from './root.js';
import {
  flushMarkerLine,
  readLastError,
  type SharedState,
  type SinkName,
  STAT_FIELDS,
  type StatField,
  sinkSlot,
  statIndex,
} from './wire.js';

// Flush acknowledgements: a marker line goes down the same pipe as the log lines, every
// sink answers it in shared memory once everything before it is delivered, and the app's
// thread waits on that memory: with Atomics.waitAsync for flushLogs(), with a blocking
// Atomics.wait at 'exit' (an exit listener cannot await).

/** A sink's counters, as its worker publishes them. */
export type SinkStats = Record<StatField, number> & { lastError?: string };

/** One sink's answer to a flush. */
export interface SinkFlushState extends SinkStats {
  /** Every line logged before the flush was delivered (written, accepted, acknowledged) or counted as dropped. */
  flushed: boolean;
}

/** What flushLogs() and closeLogs() resolve with. */
export interface FlushResult {
  /** Every active sink delivered everything logged before the call. */
  delivered: boolean;
  /** The timeout passed before every sink answered. */
  timedOut: boolean;
  /** How long the flush took. */
  elapsedMs: number;
  /** Per active sink (inactive sinks are absent). */
  sinks: Partial<Record<SinkName, SinkFlushState>>;
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

function result(root: RootState, id: number | undefined, startedAt: number): FlushResult {
  const sinks: FlushResult['sinks'] = {};
  let delivered = true;
  if (root.shared) {
    for (const sink of root.sinks) {
      const done = id === undefined ? root.stream === undefined : acknowledged(root.shared, sink, id);
      delivered &&= done;
      sinks[sink] = { ...readSinkStats(root.shared, sink), flushed: done };
    }
  }
  return { delivered, timedOut: !delivered, elapsedMs: Date.now() - startedAt, sinks };
}

export async function flushRoot(root: RootState, timeoutMs: number): Promise<FlushResult> {
  const startedAt = Date.now();
  const id = sendMarker(root);
  const shared = root.shared;
  if (id === undefined || !shared) return result(root, id, startedAt);
  const deadline = startedAt + timeoutMs;
  // Atomics.waitAsync alone does not keep the event loop alive; this timer does, until the deadline.
  const keepAlive = setTimeout(() => {}, timeoutMs);
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
  return result(root, id, startedAt);
}

/** Blocks the app's thread until every sink has delivered, or the timeout passes. For 'exit' only. */
export function flushRootSync(root: RootState, timeoutMs: number): FlushResult {
  const startedAt = Date.now();
  const id = sendMarker(root);
  const shared = root.shared;
  if (id === undefined || !shared || !root.stream) return result(root, id, startedAt);
  try {
    // thread-stream may still hold the marker in the app's thread: hand it to the worker now.
    root.stream.flushSync();
  } catch {
    // The worker is gone or stuck; the waits below are bounded and report what is missing.
  }
  const deadline = startedAt + timeoutMs;
  shared.exitDeadline[0] = deadline;
  for (const sink of root.sinks) {
    const slot = sinkSlot(sink);
    for (;;) {
      const seen = Atomics.load(shared.acks, slot);
      const remaining = deadline - Date.now();
      if (seen >= id || remaining <= 0) break;
      Atomics.wait(shared.acks, slot, seen, remaining);
    }
  }
  return result(root, id, startedAt);
}

/** Sinks that have not answered, with their pending counts, for the one line printed when an exit wait runs out. */
export function describeUndelivered(flush: FlushResult): string {
  return Object.entries(flush.sinks)
    .filter(([, sink]) => !sink.flushed)
    .map(([name, sink]) => `${name} (${sink.pending} pending, ${sink.dropped} dropped)`)
    .join(', ');
}

/**
 * At the end (exit, signal, closeLogs), one line on stderr when a sink sent something again after
 * a request that got no answer: the endpoint may hold those twice. Printed by the app's thread,
 * so it is not lost with the worker's own stderr at exit.
 */
export function reportPossibleDuplicates(flush: FlushResult): void {
  const parts = Object.entries(flush.sinks)
    .filter(([, sink]) => sink.possibleDuplicates > 0)
    .map(([name, sink]) => `${name} ${sink.possibleDuplicates}`);
  if (parts.length === 0) return;
  process.stderr.write(
    `logferry: possible duplicates (sent again after a request got no answer, so the endpoint may hold them twice): ${parts.join(', ')}\n`,
  );
}
