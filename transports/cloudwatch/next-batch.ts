import type { LogsApi, PreparedPut } from './client.js';
import type { OutgoingBatch } from './event-queue.js';

// The full batch after the one in flight: taken from the queue and prepared (serialized and
// signed) while that one waits for its answer, so it goes the moment the answer comes.

export class NextBatch {
  readonly #api: LogsApi;
  readonly #cutOff: AbortSignal;
  #batch: OutgoingBatch | undefined;
  #put: PreparedPut | undefined;

  /** `cutOff` aborts a prepared request at the exit deadline. */
  constructor(api: LogsApi, cutOff: AbortSignal) {
    this.#api = api;
    this.#cutOff = cutOff;
  }

  /** The batch held as next, if any. */
  get batch(): OutgoingBatch | undefined {
    return this.#batch;
  }

  /** Events held as next. */
  get events(): number {
    return this.#batch?.events.length ?? 0;
  }

  /** Holds a batch from `take` unless one is held, and prepares its request. Returns true when a batch was taken. */
  prepare(take: () => OutgoingBatch | undefined): boolean {
    let taken = false;
    if (this.#batch === undefined) {
      this.#batch = take();
      if (this.#batch === undefined) return false;
      taken = true;
    }
    try {
      this.#put ??= this.#api.preparePutLogEvents(this.#batch.events, this.#cutOff);
    } catch {
      // Not prepared now, it is when its turn comes (and any failure is met and reported then).
    }
    return taken;
  }

  /** Drops the prepared request: its signature would only age while the batch before is retried. The batch stays next. */
  discardRequest(): void {
    this.#put?.discard();
    this.#put = undefined;
  }

  /** Hands over the batch and its prepared request, if any, and holds nothing more. */
  take(): { batch: OutgoingBatch; put: PreparedPut | undefined } | undefined {
    const batch = this.#batch;
    const put = this.#put;
    [this.#batch, this.#put] = [undefined, undefined];
    return batch && { batch, put };
  }

  /** Drops what is held (at close); returns how many events that was. */
  clear(): number {
    const events = this.events;
    this.discardRequest();
    this.#batch = undefined;
    return events;
  }
}
