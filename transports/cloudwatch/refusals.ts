// What CloudWatch refused, counted. Pure: no I/O.

import type { LogEvents } from './client.js';

/** The index ranges PutLogEvents returns for events it refused by timestamp (rejectedLogEventsInfo). */
export interface RejectedRanges {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

/** How many of a batch of `length` events the ranges cover: a head of too old or expired ones, a tail of too new ones. */
export function countRejected(rejected: RejectedRanges, length: number): number {
  const tooOld = Math.max((rejected.tooOldLogEventEndIndex ?? -1) + 1, (rejected.expiredLogEventEndIndex ?? -1) + 1);
  const tooNew = rejected.tooNewLogEventStartIndex === undefined ? 0 : length - rejected.tooNewLogEventStartIndex;
  return Math.max(0, Math.min(length, tooOld + tooNew));
}

/**
 * Refused requests one batch may cost. Halving isolates one bad event of 10,000 in 15 refusals,
 * and the rest of the batch is delivered; an endpoint that refuses everything costs at most this
 * many requests per batch, then what is left of the batch is dropped and counted.
 */
export const MAX_REFUSALS_PER_BATCH = 16;

/**
 * A batch as the pieces still to send, in order. A refused piece is split in halves (so one bad
 * event costs only its piece) until the batch has used its refusals; then the rest is given up.
 */
export class BatchPieces {
  readonly #pieces: LogEvents[];
  #refusals = 0;

  constructor(events: LogEvents) {
    this.#pieces = events.length > 0 ? [events] : [];
  }

  /** The piece to send next, or undefined when the batch is done. */
  get current(): LogEvents | undefined {
    return this.#pieces[0];
  }

  /** Events not yet delivered or given up. */
  get remaining(): number {
    return this.#pieces.reduce((sum, piece) => sum + piece.length, 0);
  }

  /** The current piece was stored. */
  accepted(): void {
    this.#pieces.shift();
  }

  /** The current piece was refused. Returns how many events are given up: 0 when it was split instead. */
  refused(): number {
    const piece = this.#pieces.shift();
    if (!piece) return 0;
    if (++this.#refusals >= MAX_REFUSALS_PER_BATCH) return piece.length + this.abandon();
    if (piece.length === 1) return 1;
    const middle = Math.ceil(piece.length / 2);
    this.#pieces.unshift(piece.slice(0, middle), piece.slice(middle));
    return 0;
  }

  /** Gives up every piece left; returns how many events that is. */
  abandon(): number {
    const left = this.remaining;
    this.#pieces.length = 0;
    return left;
  }
}
