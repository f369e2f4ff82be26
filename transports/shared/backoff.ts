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
