import {
  EVENT_OVERHEAD_BYTES,
  MAX_AGE_MS,
  MAX_AHEAD_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
} from '../../src/wire/cloudwatch-limits.js';
import { BatchEvent } from './batch-event.js';
import {
  BODY_HEAD_ROOM,
  BODY_TAIL_ROOM,
  EVENT_FRAME_BYTES,
  markWholeBatch,
  WORST_BYTES_PER_MESSAGE_BYTE,
  writeEventJson,
} from './put-body.js';
import { RecordRing } from './record-ring.js';

// The capped queue that batches are cut from, within the PutLogEvents limits. Pure: no I/O.

/** Keep clear of those edges: the service's clock is not ours. */
const CLOCK_MARGIN_MS = 5 * 60 * 1000;

export interface OutgoingBatch {
  /** BatchEvents when cut from the queue: their messages stay bytes until the body is written. */
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
  /** When the drops happened. */
  firstAt: number;
  lastAt: number;
  /** When the dropped lines were logged (their times). */
  loggedFrom: number;
  loggedUntil: number;
}

/** A FIFO of events capped in bytes; past the cap the oldest are dropped and counted. */
export class EventQueue {
  readonly #maxBytes: number;
  // The lines themselves live off the V8 heap; see record-ring.ts.
  readonly #ring = new RecordRing();
  /** Counted as PutLogEvents counts them: UTF-8 bytes plus EVENT_OVERHEAD_BYTES per event. */
  #bytes = 0;
  /** Seq of the oldest queued event: events are numbered in the order they arrived. */
  #firstSeq = 1;
  #drops: DropRecord | undefined;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#ring.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Seq of the oldest queued event; when empty, the seq the next event will get. */
  get firstSeq(): number {
    return this.#firstSeq;
  }

  /** When the oldest queued event arrived, or undefined when empty. */
  get oldestQueuedAt(): number | undefined {
    return this.#ring.headQueuedAt;
  }

  /** When the newest queued event arrived, or undefined when empty. */
  get newestQueuedAt(): number | undefined {
    return this.#ring.tailQueuedAt;
  }

  get lastSeq(): number {
    return this.#firstSeq + this.#ring.length - 1;
  }

  /** Whether an event of `messageBytes` fits under the cap without dropping any (an empty queue takes any one event). */
  hasRoomFor(messageBytes: number): boolean {
    return this.length === 0 || this.#bytes + messageBytes + EVENT_OVERHEAD_BYTES <= this.#maxBytes;
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
    const eventBytes = messageBytes + EVENT_OVERHEAD_BYTES;
    let dropped = 0;
    let loggedFrom = Number.POSITIVE_INFINITY;
    let loggedUntil = Number.NEGATIVE_INFINITY;
    // Room is made before the event is stored, so the ring never holds more than the cap.
    if (!overCap) {
      while (this.#bytes + eventBytes > this.#maxBytes && this.length > 0) {
        const logged = this.#ring.headTimestamp as number;
        loggedFrom = Math.min(loggedFrom, logged);
        loggedUntil = Math.max(loggedUntil, logged);
        this.#bytes -= (this.#ring.headBytes as number) + EVENT_OVERHEAD_BYTES;
        this.#ring.drop();
        this.#firstSeq++;
        dropped++;
      }
    }
    this.#ring.push(message, messageBytes, timestamp, now);
    this.#bytes += eventBytes;
    if (dropped > 0) this.#drops = mergeDrops(this.#drops, { count: dropped, firstAt: now, lastAt: now, loggedFrom, loggedUntil });
    return dropped;
  }

  /** Drops not reported yet, left in place. */
  get drops(): DropRecord | undefined {
    return this.#drops;
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
    this.#firstSeq += lost;
    this.#ring.clear();
    this.#bytes = 0;
    return lost;
  }

  /** Removes and returns the next batch that PutLogEvents accepts, or undefined when empty. */
  takeBatch(now: number, maxAgeMs = MAX_AGE_MS): OutgoingBatch | undefined {
    if (this.length === 0) return undefined;
    const firstSeq = this.#firstSeq;
    const oldestAccepted = now - maxAgeMs + CLOCK_MARGIN_MS;
    const newestAccepted = now + MAX_AHEAD_MS - CLOCK_MARGIN_MS;
    const events: BatchEvent[] = [];
    // The batch's events as the JSON of the request body, written straight from the ring's bytes
    // (the ring reuses their room), with room around them for the body's head and tail; a quarter
    // over the messages' bytes covers the quotes a JSON line has escaped, and the buffer grows if
    // a batch needs more.
    let json: Buffer = Buffer.allocUnsafe(
      BODY_HEAD_ROOM +
        Math.ceil(Math.min(this.#ring.bytes, MAX_BATCH_BYTES) * 1.25) +
        Math.min(this.length, MAX_BATCH_EVENTS) * EVENT_FRAME_BYTES +
        BODY_TAIL_ROOM,
    );
    let jsonAt = BODY_HEAD_ROOM;
    let bytes = 0;
    let restamped = 0;
    let previous = Number.NEGATIVE_INFINITY;
    let start = 0;
    while (this.length > 0 && events.length < MAX_BATCH_EVENTS) {
      const eventBytes = (this.#ring.headBytes as number) + EVENT_OVERHEAD_BYTES;
      if (bytes + eventBytes > MAX_BATCH_BYTES) break;
      const queuedTimestamp = this.#ring.headTimestamp as number;
      const outOfRange = !(queuedTimestamp >= oldestAccepted && queuedTimestamp <= newestAccepted);
      // Events must be chronological within a batch while staying in the order they were logged:
      // a clock that stepped back is evened out, not reordered.
      const timestamp = Math.max(outOfRange ? now : queuedTimestamp, previous);
      if (events.length === 0) start = timestamp;
      else if (timestamp - start > MAX_BATCH_SPAN_MS) break;
      if (outOfRange) restamped++;
      previous = timestamp;
      const messageBytes = this.#ring.headBytes as number;
      const room = jsonAt + 1 + EVENT_FRAME_BYTES + messageBytes * WORST_BYTES_PER_MESSAGE_BYTE + BODY_TAIL_ROOM;
      if (room > json.length) {
        json = grown(json, jsonAt, room);
        // The events cut so far point into the new buffer too, so the batch stays one run of JSON.
        for (const [k, event] of events.entries()) events[k] = new BatchEvent(event.timestamp, json, event.start, event.end);
      }
      if (events.length > 0) json[jsonAt++] = 0x2c; // the comma between events
      const at = this.#ring.headOffset as number;
      const end = writeEventJson(json, jsonAt, timestamp, this.#ring.data, at, at + messageBytes);
      events.push(new BatchEvent(timestamp, json, jsonAt, end));
      jsonAt = end;
      this.#ring.drop();
      bytes += eventBytes;
      this.#bytes -= eventBytes;
      this.#firstSeq++;
    }
    if (events.length > 0) markWholeBatch(json, BODY_HEAD_ROOM, jsonAt);
    return { events, firstSeq, lastSeq: this.#firstSeq - 1, bytes, restamped };
  }
}

/** Two drop records as one: the counts added, the times spanning both. */
export function mergeDrops(a: DropRecord | undefined, b: DropRecord | undefined): DropRecord | undefined {
  if (!a || !b) return a ?? b;
  return {
    count: a.count + b.count,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt: Math.max(a.lastAt, b.lastAt),
    loggedFrom: Math.min(a.loggedFrom, b.loggedFrom),
    loggedUntil: Math.max(a.loggedUntil, b.loggedUntil),
  };
}

/** A copy of `json`'s first `used` bytes in a Buffer of at least `bytes`; the events cut so far move with it. */
function grown(json: Buffer, used: number, bytes: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(json.length * 2, bytes));
  json.copy(bigger, 0, 0, used);
  return bigger;
}
