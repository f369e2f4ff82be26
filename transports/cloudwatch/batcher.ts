// The PutLogEvents limits, and the capped queue that batches are cut from. Pure: no I/O.
// Limits from the CloudWatch Logs API reference (PutLogEvents, InputLogEvent):
export const MAX_BATCH_BYTES = 1_048_576;
/** Counted against the batch for every event, on top of its message's UTF-8 bytes. */
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_EVENTS = 10_000;
/** One batch may not span more than 24 hours. */
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
/** Events older than 14 days (or the group's retention) or over 2 hours ahead are rejected one by one. */
export const MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_AHEAD_MS = 2 * 60 * 60 * 1000;
/** Keep clear of those edges: the service's clock is not ours. */
const CLOCK_MARGIN_MS = 5 * 60 * 1000;

export interface QueuedEvent {
  /** Position in the order lines arrived; flush acknowledgements count in it. */
  seq: number;
  timestamp: number;
  message: string;
  /** Message UTF-8 bytes plus the 26-byte event overhead. */
  bytes: number;
  /** When the sink took it: a partial batch goes out flushIntervalMs after its oldest event arrived. */
  queuedAt: number;
}

export interface OutgoingBatch {
  events: Array<{ timestamp: number; message: string }>;
  firstSeq: number;
  lastSeq: number;
  bytes: number;
  /** Events whose timestamp the service would reject, sent with the time of sending instead (the original stays in the message). */
  restamped: number;
}

/** What the queue dropped to stay under its cap. */
export interface DropRecord {
  count: number;
  firstAt: number;
  lastAt: number;
}

/** A FIFO of events capped in bytes; past the cap the oldest are dropped and counted. */
export class EventQueue {
  readonly #maxBytes: number;
  #events: QueuedEvent[] = [];
  #head = 0;
  #bytes = 0;
  #nextSeq = 1;
  #drops: DropRecord | undefined;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#events.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Seq of the oldest queued event; when empty, the seq the next event will get. */
  get firstSeq(): number {
    return this.#events[this.#head]?.seq ?? this.#nextSeq;
  }

  /** When the oldest queued event arrived, or undefined when empty. */
  get oldestQueuedAt(): number | undefined {
    return this.#events[this.#head]?.queuedAt;
  }

  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** True when a full batch is waiting: send now rather than wait for the interval. */
  get hasFullBatch(): boolean {
    return this.length >= MAX_BATCH_EVENTS || this.#bytes >= MAX_BATCH_BYTES;
  }

  /**
   * Adds an event; returns how many old events were dropped to make room. An `overCap`
   * event (the one line that reports drops) is added without evicting anything, so the
   * count it reports stays exact.
   */
  push(timestamp: number, message: string, messageBytes: number, now: number, overCap = false): number {
    const event = { seq: this.#nextSeq++, timestamp, message, bytes: messageBytes + EVENT_OVERHEAD_BYTES, queuedAt: now };
    this.#events.push(event);
    this.#bytes += event.bytes;
    if (overCap) return 0;
    let dropped = 0;
    while (this.#bytes > this.#maxBytes && this.length > 1) {
      const oldest = this.#events[this.#head++] as QueuedEvent;
      this.#bytes -= oldest.bytes;
      dropped++;
    }
    if (dropped > 0) {
      this.#compact();
      this.#drops = this.#drops
        ? { ...this.#drops, count: this.#drops.count + dropped, lastAt: now }
        : { count: dropped, firstAt: now, lastAt: now };
    }
    return dropped;
  }

  /** Drops not reported yet, cleared by the call. */
  takeDrops(): DropRecord | undefined {
    const drops = this.#drops;
    this.#drops = undefined;
    return drops;
  }

  /** Everything queued, counted as lost (at exit, past the deadline). */
  clear(): number {
    const lost = this.length;
    this.#events = [];
    this.#head = 0;
    this.#bytes = 0;
    return lost;
  }

  /** Removes and returns the next batch that PutLogEvents accepts, or undefined when empty. */
  takeBatch(now: number, maxAgeMs = MAX_AGE_MS): OutgoingBatch | undefined {
    const first = this.#events[this.#head];
    if (!first) return undefined;
    const oldestAccepted = now - maxAgeMs + CLOCK_MARGIN_MS;
    const newestAccepted = now + MAX_AHEAD_MS - CLOCK_MARGIN_MS;
    const events: OutgoingBatch['events'] = [];
    let bytes = 0;
    let restamped = 0;
    let previous = Number.NEGATIVE_INFINITY;
    let start = 0;
    let lastSeq = first.seq;
    while (this.length > 0 && events.length < MAX_BATCH_EVENTS) {
      const event = this.#events[this.#head] as QueuedEvent;
      if (bytes + event.bytes > MAX_BATCH_BYTES) break;
      const outOfRange = !(event.timestamp >= oldestAccepted && event.timestamp <= newestAccepted);
      // Events must be chronological within a batch while staying in the order they were logged:
      // a clock that stepped back is evened out, not reordered.
      const timestamp = Math.max(outOfRange ? now : event.timestamp, previous);
      if (events.length === 0) start = timestamp;
      else if (timestamp - start > MAX_BATCH_SPAN_MS) break;
      if (outOfRange) restamped++;
      previous = timestamp;
      events.push({ timestamp, message: event.message });
      bytes += event.bytes;
      lastSeq = event.seq;
      this.#head++;
      this.#bytes -= event.bytes;
    }
    this.#compact();
    return { events, firstSeq: first.seq, lastSeq, bytes, restamped };
  }

  #compact(): void {
    if (this.#head === this.#events.length) {
      this.#events = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }
}
