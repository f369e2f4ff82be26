// One request attempt, bounded as a whole. An HTTP client's own timeouts watch the socket: a
// server that sends its headers, then its body one byte at a time, never trips them. This bound
// counts from the moment the request goes until its answer is read, and aborts the request
// (its signal goes to the client, which destroys the socket) when time runs out.

import { AttemptCutOffError, AttemptTimeoutError } from '../../src/wire/attempt-errors.js';

export class BoundedAttempt {
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal;
  readonly #onOuterAbort = (): void => this.#abort(new AttemptCutOffError());
  #timer: NodeJS.Timeout | undefined;
  /** When the running attempt times out (epoch ms); undefined before it runs. */
  #dueAt: number | undefined;
  #setting = '';
  #failure: Error | undefined;
  #fail: (error: Error) => void = () => undefined;

  /** `outer` aborts every attempt at once (at the exit deadline). */
  constructor(outer: AbortSignal) {
    this.#outer = outer;
    if (outer.aborted) this.#abort(new AttemptCutOffError());
    else outer.addEventListener('abort', this.#onOuterAbort, { once: true });
  }

  /** The signal to hand the client: aborted at the time limit or by the outer signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Starts the clock (a request prepared ahead waits unclocked until it goes) and settles with
   * `request`'s outcome, or rejects as soon as the attempt is aborted, whether or not the
   * client noticed (it may be resolving credentials, or reading a body).
   */
  async run<T>(request: Promise<T>, timeoutMs: number, setting: string): Promise<T> {
    request.catch(() => undefined); // its own rejection after an abort is expected and unobserved
    const aborted = new Promise<never>((_, reject) => {
      if (this.#failure) reject(this.#failure);
      this.#fail = reject;
    });
    this.#setting = setting;
    if (timeoutMs > 0) this.#arm(timeoutMs);
    try {
      return await Promise.race([request, aborted]);
    } finally {
      this.release();
    }
  }

  /** A running attempt ends within `ms` from now, unless it was due sooner (at exit: one hung request must not take the budget). */
  tighten(ms: number, setting: string): void {
    if (this.#dueAt === undefined || this.#failure || Date.now() + ms >= this.#dueAt) return;
    this.#setting = setting;
    this.#arm(ms);
  }

  #arm(ms: number): void {
    clearTimeout(this.#timer);
    this.#dueAt = Date.now() + ms;
    this.#timer = setTimeout(() => this.#abort(new AttemptTimeoutError(ms, this.#setting)), ms);
  }

  /** Stops watching: the timer and the outer signal. Safe to call twice. */
  release(): void {
    this.#dueAt = undefined;
    clearTimeout(this.#timer);
    this.#outer.removeEventListener('abort', this.#onOuterAbort);
  }

  #abort(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#controller.abort(error);
    this.#fail(error);
  }
}
