import type { SinkReporter } from '../../src/wire/sink-reporter.js';
import { backoffMs, sleepWithin } from '../shared/backoff.js';
import type { SendOutcome, SessionCount } from './notifier.js';

// Bugsnag sessions, worker side. The app's thread counts each request's session in shared
// memory (src/context/session-counter.ts); this reads the count at every minute boundary and at every flush,
// and sends it as @bugsnag/js's session tracker does: `sessionCounts`, one entry per minute of
// start, to the sessions endpoint. Counts not yet accepted are kept (per minute, bounded) and
// sent with the next ones, so a failed request or an exit loses none while Bugsnag answers.
// Events raised inside a request count as that session's handled or unhandled errors.

export type SendSessions = (counts: SessionCount[], timeoutMs: number) => Promise<SendOutcome>;

const MINUTE_MS = 60_000;
/** A day of minutes waiting while Bugsnag is unreachable; older ones are dropped and said once. */
const MAX_PENDING_MINUTES = 24 * 60;
/** Sessions whose event counts are remembered (requests in flight with an error, roughly). */
const MAX_TRACKED_SESSIONS = 10_000;
/** Attempts per send outside exit; the counts stay queued for the next minute after that. */
const ATTEMPTS_PER_SEND = 3;

export class SessionTracker {
  readonly #counter: Int32Array;
  readonly #send: SendSessions;
  readonly #reporter: SinkReporter;
  readonly #requestTimeoutMs: number;
  readonly #pending = new Map<string, number>();
  readonly #eventCounts = new Map<string, { handled: number; unhandled: number }>();
  #lastTotal = 0;
  #lastReadAt = Date.now();
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** Set when the sink closes: every wait and attempt, including one already under way, ends by then. */
  #deadline: number | undefined;

  constructor(counter: SharedArrayBuffer, send: SendSessions, reporter: SinkReporter, requestTimeoutMs: number) {
    this.#counter = new Int32Array(counter);
    this.#send = send;
    this.#reporter = reporter;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#scheduleNextMinute();
  }

  /** Counts an event against its session; returns the session's counts with it, as the event carries them. */
  countEvent(sessionId: string, unhandled: boolean): { handled: number; unhandled: number } {
    let counts = this.#eventCounts.get(sessionId);
    if (counts === undefined) {
      counts = { handled: 0, unhandled: 0 };
      if (this.#eventCounts.size >= MAX_TRACKED_SESSIONS) {
        const oldest = this.#eventCounts.keys().next();
        if (!oldest.done) this.#eventCounts.delete(oldest.value);
      }
      this.#eventCounts.set(sessionId, counts);
    }
    if (unhandled) counts.unhandled++;
    else counts.handled++;
    return { ...counts };
  }

  /** Sends the sessions started so far; resolves once Bugsnag accepted them or the attempts ran out. */
  flush(): Promise<void> {
    this.#read();
    return this.#enqueueSend();
  }

  /** The last send, within the exit budget; what is still unsent then is said on stderr. */
  async close(budgetMs: number): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#deadline = Date.now() + budgetMs;
    this.#read();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#enqueueSend(), new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)))]);
    clearTimeout(timer);
    const lost = [...this.#pending.values()].reduce((sum, count) => sum + count, 0);
    if (lost > 0) process.stderr.write(`logferry: Bugsnag: ${lost} session counts were not accepted before the exit deadline\n`);
  }

  #scheduleNextMinute(): void {
    const now = Date.now();
    this.#timer = setTimeout(
      () => {
        this.#read();
        void this.#enqueueSend();
        this.#scheduleNextMinute();
      },
      MINUTE_MS - (now % MINUTE_MS) + 5,
    );
    this.#timer.unref();
  }

  /** Moves the sessions counted since the last read into the pending minute they started in. */
  #read(): void {
    const total = Atomics.load(this.#counter, 0);
    const started = (total - this.#lastTotal) >>> 0;
    this.#lastTotal = total;
    // Reads happen at every minute boundary, so the sessions since the last read started in its minute.
    const minute = minuteKey(this.#lastReadAt);
    this.#lastReadAt = Date.now();
    if (started === 0) return;
    this.#pending.set(minute, (this.#pending.get(minute) ?? 0) + started);
    while (this.#pending.size > MAX_PENDING_MINUTES) {
      const oldest = this.#pending.keys().next().value as string;
      this.#reporter.reportOnce(
        'sessions-dropped',
        'logferry: Bugsnag: session counts older than a day were dropped (the sessions endpoint kept failing)',
      );
      this.#pending.delete(oldest);
    }
  }

  #enqueueSend(): Promise<void> {
    // One send at a time, in order: a flush is answered after every send before it.
    this.#chain = this.#chain.then(() => this.#sendPending());
    return this.#chain;
  }

  async #sendPending(): Promise<void> {
    if (this.#pending.size === 0) return;
    const counts = [...this.#pending].map(([startedAt, sessionsStarted]) => ({ startedAt, sessionsStarted }));
    for (let attempt = 0; ; attempt++) {
      const deadline = this.#deadline;
      const timeoutMs =
        deadline === undefined ? this.#requestTimeoutMs : Math.max(1, Math.min(this.#requestTimeoutMs, deadline - Date.now()));
      const outcome = await this.#send(counts, timeoutMs);
      if (outcome.ok || !outcome.retryable) {
        for (const { startedAt, sessionsStarted } of counts) {
          const left = (this.#pending.get(startedAt) ?? 0) - sessionsStarted;
          if (left > 0) this.#pending.set(startedAt, left);
          else this.#pending.delete(startedAt);
        }
        if (!outcome.ok) {
          this.#reporter.reportOnce(
            `sessions-${outcome.reason}`,
            `logferry: Bugsnag refused session counts (${outcome.reason}); they are not sent again`,
          );
        }
        return;
      }
      this.#reporter.error(`Bugsnag sessions: ${outcome.reason}`);
      const closingBy = this.#deadline;
      const outOfTime = closingBy !== undefined ? Date.now() >= closingBy : attempt + 1 >= ATTEMPTS_PER_SEND;
      if (outOfTime) return;
      await sleepWithin(backoffMs(attempt), closingBy);
    }
  }
}

function minuteKey(epochMs: number): string {
  return new Date(epochMs - (epochMs % MINUTE_MS)).toISOString();
}
