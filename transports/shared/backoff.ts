/** Exponential backoff with equal jitter: half the step is fixed, half random, capped. */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 200, capMs = 10_000): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(step / 2 + random() * (step / 2));
}
