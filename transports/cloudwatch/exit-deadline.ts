// The deadline a sender works to once the process is ending (an exit, a signal, closeLogs()):
// nothing waits past it, and the request in flight is cut off just before it, so that what the
// cut leaves (pending lines, the copies it may have stored) is counted before the app's thread
// reads the counters at the deadline to say them.

/**
 * The request in flight is cut off this long before the deadline (or a tenth of the time left,
 * when less), so the counts the cut makes are published before the app's thread reads them.
 */
const CUT_OFF_AHEAD_MS = 50;

/** One sender's exit deadline; unset until the process starts to end. */
export class ExitDeadline {
  readonly #cutOff = new AbortController();
  #at: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Aborted just before the deadline: the request in flight ends, and none starts. */
  get signal(): AbortSignal {
    return this.#cutOff.signal;
  }

  /** The deadline (epoch ms), once one is set. */
  get at(): number | undefined {
    return this.#at;
  }

  /** Sets the deadline, or brings it forward, and arms the cut-off; returns the deadline in force. */
  set(deadline: number): number {
    const at = Math.min(this.#at ?? Number.POSITIVE_INFINITY, deadline);
    this.#at = at;
    clearTimeout(this.#timer);
    const cutAt = at - Math.min(CUT_OFF_AHEAD_MS, (at - Date.now()) / 10);
    this.#timer = setTimeout(() => this.#cutOff.abort(), Math.max(0, cutAt - Date.now()));
    return at;
  }

  /** Whether no request may start any more. */
  passed(): boolean {
    // The cut-off timer and Date.now() are different clocks: the timer can fire (and abort) a
    // millisecond before Date.now() reaches the deadline, and no request may start after it.
    if (this.#cutOff.signal.aborted) return true;
    return this.#at !== undefined && Date.now() >= this.#at;
  }

  /** Stops the cut-off timer (the sender has closed). */
  release(): void {
    clearTimeout(this.#timer);
  }
}
