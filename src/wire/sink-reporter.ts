import { safeNoticeText } from '../redact/text-secrets.js';
import {
  type SharedState,
  type SinkName,
  STAT_FIELDS,
  type StatField,
  sinkSlot,
  statIndex,
  viewSharedState,
  writeLastError,
} from './protocol.js';

/**
 * A sink's voice back to the app's thread: counters, flush acknowledgements and the last
 * error, all in the shared memory the app's thread reads without a message round trip. Plain
 * (imports only protocol.ts and src/redact/): the worker's sinks and the app thread's own stdout
 * writer (src/app-stdout/app-thread-stdout.ts) both use it.
 */
export interface SinkReporter {
  add(field: StatField, amount?: number): void;
  set(field: StatField, value: number): void;
  /** Every line before flush marker `flushId` is delivered or counted as dropped. */
  acknowledge(flushId: number): void;
  error(message: string): void;
  /** Writes `message` on stderr the first time `key` is reported, never again. */
  reportOnce(key: string, message: string): void;
  /** Epoch ms by which the app wants to be gone (0 until exit starts). */
  exitDeadline(): number;
  /** The setting or call whose bound set that deadline: `LOG_EXIT_TIMEOUT_MS`, or `closeLogs(<ms>)` (optional for test fakes). */
  endingBound?(): string;
}

/** The reporter of a worker-thread sink, over the shared memory the app's thread handed it. */
export function createSinkReporter(sharedBuffer: SharedArrayBuffer, sink: SinkName): SinkReporter {
  return sinkReporterOver(viewSharedState(sharedBuffer), sink);
}

/** The reporter of `sink` over a view of the shared memory (the app thread's own stdout has one). */
export function sinkReporterOver(shared: SharedState, sink: SinkName): SinkReporter {
  const slot = sinkSlot(sink);
  const reported = new Set<string>();
  // Looked up once: sinks count on every line.
  const slots = Object.fromEntries(STAT_FIELDS.map((field) => [field, statIndex(sink, field)])) as Record<StatField, number>;
  return {
    add(field, amount = 1) {
      shared.stats[slots[field]] = (shared.stats[slots[field]] ?? 0) + amount;
    },
    set(field, value) {
      shared.stats[slots[field]] = value;
    },
    acknowledge(flushId) {
      if (Atomics.load(shared.acks, slot) >= flushId) return;
      Atomics.store(shared.acks, slot, flushId);
      Atomics.notify(shared.acks, slot);
    },
    // An SDK's error may quote an endpoint with user:password@ or a signed URL: never print those.
    error(message) {
      writeLastError(shared, sink, safeNoticeText(message));
    },
    reportOnce(key, message) {
      if (reported.has(key)) return;
      reported.add(key);
      process.stderr.write(`${safeNoticeText(message)}\n`);
    },
    exitDeadline() {
      return shared.exitDeadline[0] ?? 0;
    },
    endingBound() {
      const closeBound = shared.closeBound[0] ?? 0;
      return closeBound > 0 ? `closeLogs(${closeBound})` : 'LOG_EXIT_TIMEOUT_MS';
    },
  };
}

/**
 * Counts one line received (and pending, unless `alsoPending` is false) for `sink`, for a sink's
 * per-line path: the index is found once, where SinkReporter.add looks the field up by name on
 * every call (a lookup that sees every field name, and so stays slow).
 */
export function receivedLineCounter(shared: SharedState, sink: SinkName, alsoPending = true): () => void {
  const { stats } = shared;
  const received = statIndex(sink, 'received');
  const pending = statIndex(sink, 'pending');
  if (!alsoPending) {
    return () => {
      stats[received] = (stats[received] ?? 0) + 1;
    };
  }
  return () => {
    stats[received] = (stats[received] ?? 0) + 1;
    stats[pending] = (stats[pending] ?? 0) + 1;
  };
}
