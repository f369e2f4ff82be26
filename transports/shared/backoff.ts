/** Waits `ms`, but never past `deadline` (epoch ms) when one is set: a closing sink stops waiting at the exit deadline. */
export function sleepWithin(ms: number, deadline: number | undefined): Promise<void> {
  const wait = deadline === undefined ? ms : Math.min(ms, Math.max(0, deadline - Date.now()));
  return new Promise((resolve) => setTimeout(resolve, wait));
}

/** Exponential backoff with equal jitter: half the step is fixed, half random, capped. */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 200, capMs = 10_000): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * A sink's backoff sleeps, which its close can cut short. A sleep that began before close would
 * otherwise run its full length past the exit deadline.
 */
export class Sleeper {
  #deadline: number | undefined;
  #wake: (() => void) | undefined;

  /** Waits `ms`, never past the deadline once one is set. */
  sleep(ms: number): Promise<void> {
    const wait = this.#deadline === undefined ? ms : Math.min(ms, Math.max(0, this.#deadline - Date.now()));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.#wake = done;
    });
  }

  /** Ends the sleep under way now; later sleeps end by `deadline` (epoch ms). */
  cutShort(deadline: number): void {
    this.#deadline = Math.min(this.#deadline ?? Number.POSITIVE_INFINITY, deadline);
    this.#wake?.();
  }
}
