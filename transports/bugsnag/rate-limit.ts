// A burst of the same error (same class and message) is sent a few times a minute; the
// rest are counted, and the next event of that group that goes out says how many were
// suppressed. Pure: the clock is passed in.

const WINDOW_MS = 60_000;
/** Forget quiet groups so a stream of ever-new messages cannot grow this without bound. */
const MAX_GROUPS = 5000;

interface GroupWindow {
  startedAt: number;
  sent: number;
  suppressed: number;
}

export class GroupRateLimiter {
  readonly #perWindow: number;
  readonly #groups = new Map<string, GroupWindow>();

  constructor(perWindow: number) {
    this.#perWindow = perWindow;
  }

  /** Whether to send now; when yes, how many of this group were suppressed since the last one sent. */
  admit(key: string, now: number): { send: boolean; suppressedBefore: number } {
    let group = this.#groups.get(key);
    if (!group || now - group.startedAt >= WINDOW_MS) {
      const carried = group?.suppressed ?? 0;
      if (!group && this.#groups.size >= MAX_GROUPS) this.#evictOldest();
      group = { startedAt: now, sent: 0, suppressed: carried };
      this.#groups.set(key, group);
    }
    if (group.sent >= this.#perWindow) {
      group.suppressed++;
      return { send: false, suppressedBefore: 0 };
    }
    group.sent++;
    const suppressedBefore = group.suppressed;
    group.suppressed = 0;
    return { send: true, suppressedBefore };
  }

  #evictOldest(): void {
    const oldest = this.#groups.keys().next();
    if (!oldest.done) this.#groups.delete(oldest.value);
  }
}
