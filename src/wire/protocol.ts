// The contract between the app's thread and the worker-thread sinks: field names, level
// numbers, the flush marker, the shared-memory layout, and the small pure functions that read
// and write them. It imports nothing, because worker files import it too.

/** pino's numeric levels; the worker reads them from each line's first bytes, so lines keep pino's numbers. */
export const LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
} as const;

export type LevelName = keyof typeof LEVELS;

/** Level names as a line carries them, by number. */
export function levelName(level: number): LevelName {
  if (level >= LEVELS.fatal) return 'fatal';
  if (level >= LEVELS.error) return 'error';
  if (level >= LEVELS.warn) return 'warn';
  if (level >= LEVELS.info) return 'info';
  if (level >= LEVELS.debug) return 'debug';
  return 'trace';
}

/** Field that names the channel of a line; the transactional audit trail sets it. */
export const CHANNEL_FIELD = 'channel';
export const TRANSACTIONAL_CHANNEL = 'transactional';

/** Field set on the fatal line that reports an uncaught exception or unhandled rejection. */
export const UNHANDLED_FIELD = 'unhandled';
export type UnhandledOrigin = 'uncaughtException' | 'unhandledRejection';

/**
 * The flush marker is a line above every level, so the worker's router hands it to every
 * sink; each sink answers it once everything written before it has been delivered.
 */
export const FLUSH_MARKER_LEVEL = 1000;
export const FLUSH_MARKER_FIELD = 'logferryFlush';

/** The marker line for flush `flushId`, as the app's thread writes it down the pipe. */
export function flushMarkerLine(flushId: number): string {
  return `{"level":${FLUSH_MARKER_LEVEL},"time":${Date.now()},"${FLUSH_MARKER_FIELD}":${flushId}}\n`;
}

const MARKER_PREFIX = `{"level":${FLUSH_MARKER_LEVEL},`;

/** The flush id a line carries, or -1 when it is an ordinary log line. */
export function readFlushMarker(line: string): number {
  if (!line.startsWith(MARKER_PREFIX)) return -1;
  const at = line.indexOf(`"${FLUSH_MARKER_FIELD}":`);
  if (at < 0) return -1;
  return Number.parseInt(line.slice(at + FLUSH_MARKER_FIELD.length + 3), 10);
}

/** One sink as the log worker's router builds it: lines at `minLevel` and above reach it. */
export interface SinkRoute {
  sink: SinkName;
  minLevel: number;
  options: SinkWireOptions & Record<string, unknown>;
}

/** The sinks, by their slot in shared memory. */
export const SINKS = ['stdout', 'cloudwatch', 'bugsnag'] as const;
export type SinkName = (typeof SINKS)[number];

/** A sink's slot in every per-sink region of the shared memory. */
export function sinkSlot(sink: SinkName): number {
  return SINKS.indexOf(sink);
}

/** Counters each sink publishes; one Float64 slot each, written only by that sink's worker (the spool's `spooled` and `unspooled`, and the buffer's three, only by the app's thread). */
export const STAT_FIELDS = [
  'received',
  'delivered',
  'pending',
  'dropped',
  'retries',
  'batches',
  'failedRequests',
  'suppressed',
  'rejected',
  'truncated',
  'restamped',
  'queuedBytes',
  /** Lines or events sent again after an attempt that got no answer: the endpoint may hold them twice. */
  'possibleDuplicates',
  /** CloudWatch with a spool: lines written to it (by the app's thread, before the log call returned). */
  'spooled',
  /** Lines the spool could not write (full disk, read-only): they went through memory only. Counted by the app's thread. */
  'unspooled',
  /** Lines shipped from the spool of a process that died before CloudWatch accepted them. */
  'recovered',
  /** Lines whose spool copy was removed to keep the spool under maxBytes before CloudWatch accepted them. */
  'spoolDropped',
  /** Spool files set aside as damaged or not logferry's. */
  'spoolFilesSetAside',
  /** Lines held by a buffering scope (LOG_BUFFER_LEVEL) instead of dropped. Counted by the app's thread. */
  'bufferHeld',
  /** Held lines written because their scope failed. Counted by the app's thread. */
  'bufferWritten',
  /** Held lines discarded: their scope ended without an error, or they were dropped for its cap. Counted by the app's thread. */
  'bufferDiscarded',
] as const;
export type StatField = (typeof STAT_FIELDS)[number];

const LAST_ERROR_BYTES = 512;

/**
 * Where each region of the shared memory starts, computed once. The Float64 regions come
 * first so that they sit at offsets that are multiples of 8, as a Float64Array requires.
 */
const LAYOUT = (() => {
  const statsCount = SINKS.length * STAT_FIELDS.length;
  const exitDeadlineOffset = 0;
  const closeBoundOffset = exitDeadlineOffset + Float64Array.BYTES_PER_ELEMENT;
  const statsOffset = closeBoundOffset + Float64Array.BYTES_PER_ELEMENT;
  const acksOffset = statsOffset + statsCount * Float64Array.BYTES_PER_ELEMENT;
  const lastErrorLengthOffset = acksOffset + SINKS.length * Int32Array.BYTES_PER_ELEMENT;
  const lastErrorOffset = lastErrorLengthOffset + SINKS.length * Int32Array.BYTES_PER_ELEMENT;
  const totalBytes = lastErrorOffset + SINKS.length * LAST_ERROR_BYTES;
  return {
    statsCount,
    exitDeadlineOffset,
    closeBoundOffset,
    statsOffset,
    acksOffset,
    lastErrorLengthOffset,
    lastErrorOffset,
    totalBytes,
  } as const;
})();

/**
 * Shared memory: one Int32 ack slot per sink (the last flush id it answered, waited on
 * with Atomics), one Float64 row of counters per sink, and a short last-error text per sink.
 */
export interface SharedState {
  /** Epoch ms by which the process wants to be gone, set by the app's thread when exit starts; 0 before. */
  readonly exitDeadline: Float64Array;
  /** The timeout of the closeLogs(timeoutMs) whose deadline is in force, in ms; 0 when it is LOG_EXIT_TIMEOUT_MS's. */
  readonly closeBound: Float64Array;
  readonly acks: Int32Array;
  readonly stats: Float64Array;
  readonly lastErrorLength: Int32Array;
  readonly lastError: Uint8Array;
}

/** Size of the SharedArrayBuffer that viewSharedState() lays out. */
export function sharedBufferBytes(): number {
  return LAYOUT.totalBytes;
}

/** Typed views over the shared memory, one per region; the app's thread and every sink use the same layout. */
export function viewSharedState(buffer: SharedArrayBuffer): SharedState {
  return {
    exitDeadline: new Float64Array(buffer, LAYOUT.exitDeadlineOffset, 1),
    closeBound: new Float64Array(buffer, LAYOUT.closeBoundOffset, 1),
    stats: new Float64Array(buffer, LAYOUT.statsOffset, LAYOUT.statsCount),
    acks: new Int32Array(buffer, LAYOUT.acksOffset, SINKS.length),
    lastErrorLength: new Int32Array(buffer, LAYOUT.lastErrorLengthOffset, SINKS.length),
    lastError: new Uint8Array(buffer, LAYOUT.lastErrorOffset, SINKS.length * LAST_ERROR_BYTES),
  };
}

/** Index of one sink's counter in SharedState.stats. */
export function statIndex(sink: SinkName, field: StatField): number {
  return sinkSlot(sink) * STAT_FIELDS.length + STAT_FIELDS.indexOf(field);
}

/** Stores a sink's latest error text, cut to the slot's size at a UTF-8 boundary. */
export function writeLastError(state: SharedState, sink: SinkName, message: string): void {
  const slot = sinkSlot(sink);
  const region = state.lastError.subarray(slot * LAST_ERROR_BYTES, (slot + 1) * LAST_ERROR_BYTES);
  const { written } = new TextEncoder().encodeInto(message, region);
  Atomics.store(state.lastErrorLength, slot, written);
}

/** A sink's latest error text, or undefined when it has none. */
export function readLastError(state: SharedState, sink: SinkName): string | undefined {
  const slot = sinkSlot(sink);
  const length = Atomics.load(state.lastErrorLength, slot);
  if (length === 0) return undefined;
  const start = slot * LAST_ERROR_BYTES;
  // Copy out of shared memory: TextDecoder refuses views on a SharedArrayBuffer.
  return new TextDecoder().decode(state.lastError.slice(start, start + length));
}

/** What every worker sink receives besides its own options. */
export interface SinkWireOptions {
  sharedBuffer: SharedArrayBuffer;
  exitTimeoutMs: number;
}
