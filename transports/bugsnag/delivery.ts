import type { SinkReporter } from '../../src/wire/sink-reporter.js';
import { backoffMs, sleepWithin } from '../shared/backoff.js';
import { FlushWaiters } from '../shared/flush-waiters.js';
import type { BreadcrumbSpec } from './breadcrumbs.js';
import type { EventSpec } from './event.js';
import type { Notifier } from './notifier.js';

// Pending Bugsnag events: a bounded queue (oldest dropped and counted past the cap), a few
// deliveries at once, each retried with backoff until acknowledged; flushes are answered
// once every event taken before them is settled; close waits for them, up to a deadline.

export interface DeliveryOptions {
  maxQueuedEvents: number;
  concurrency: number;
  requestTimeoutMs: number;
}

interface PendingEvent {
  seq: number;
  spec: EventSpec;
  breadcrumbs: BreadcrumbSpec[];
}

export class BugsnagDelivery {
  readonly #notifier: Notifier;
  readonly #reporter: SinkReporter;
  readonly #options: DeliveryOptions;
  readonly #ready: Promise<void>;
  readonly #flushWaiters: FlushWaiters;
  #queue: PendingEvent[] = [];
  readonly #inFlight = new Set<number>();
  #nextSeq = 1;
  #deadline: number | undefined;
  /** In-flight events close has already counted as dropped: whatever their attempts come to is not counted again. */
  readonly #abandoned = new Set<number>();
  #idleWaiters: Array<() => void> = [];

  /** `ready` resolves once anything events wait on (the onError module) is loaded. */
  constructor(notifier: Notifier, reporter: SinkReporter, options: DeliveryOptions, ready: Promise<void>) {
    this.#notifier = notifier;
    this.#reporter = reporter;
    this.#options = options;
    this.#ready = ready;
    this.#flushWaiters = new FlushWaiters(reporter);
  }

  enqueue(spec: EventSpec, breadcrumbs: BreadcrumbSpec[]): void {
    this.#queue.push({ seq: this.#nextSeq++, spec, breadcrumbs });
    if (this.#queue.length > this.#options.maxQueuedEvents) {
      this.#queue.shift();
      this.#reporter.add('dropped');
      this.#reporter.reportOnce(
        'queue-full',
        `logferry: Bugsnag: over ${this.#options.maxQueuedEvents} events waiting; the oldest are dropped and counted in logStats()`,
      );
    }
    this.#pump();
  }

  markFlush(id: number): void {
    this.#flushWaiters.add(id, this.#nextSeq - 1);
    this.#settle();
  }

  async close(budgetMs: number): Promise<void> {
    this.#deadline = Date.now() + budgetMs;
    if (this.#queue.length > 0 || this.#inFlight.size > 0) {
      const timer = setTimeout(() => this.#wakeIdle(), budgetMs);
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      clearTimeout(timer);
    }
    const lost = this.#queue.length + this.#inFlight.size;
    if (lost > 0) {
      this.#queue = [];
      for (const seq of this.#inFlight) this.#abandoned.add(seq);
      this.#reporter.add('dropped', lost);
      this.#reporter.set('pending', 0);
      process.stderr.write(`logferry: Bugsnag: ${lost} events were not acknowledged before the exit deadline (LOG_EXIT_TIMEOUT_MS)\n`);
    }
    // Attempts still waiting for an answer are ended, so their sockets do not keep the worker up.
    this.#notifier.abortAll();
  }

  #pastDeadline(): boolean {
    return this.#deadline !== undefined && Date.now() >= this.#deadline;
  }

  #pump(): void {
    while (this.#inFlight.size < this.#options.concurrency && this.#queue.length > 0) {
      const next = this.#queue.shift() as PendingEvent;
      this.#inFlight.add(next.seq);
      void this.#deliver(next).finally(() => {
        this.#inFlight.delete(next.seq);
        // Counters (pending too) are published before a flush is answered, so its result is current.
        this.#pump();
        this.#settle();
        if (this.#queue.length === 0 && this.#inFlight.size === 0) this.#wakeIdle();
      });
    }
    this.#reporter.set('pending', this.#queue.length + this.#inFlight.size);
  }

  async #deliver(pending: PendingEvent): Promise<void> {
    const counted = (field: 'delivered' | 'dropped' | 'suppressed' | 'rejected'): void => {
      if (!this.#abandoned.delete(pending.seq)) this.#reporter.add(field);
    };
    try {
      await this.#ready;
      const prepared = await this.#notifier.prepare(pending.spec, pending.breadcrumbs);
      if (!prepared) {
        counted('suppressed');
        return;
      }
      /** Attempts that got no answer: each may have stored the event once more. */
      let unanswered = 0;
      for (let attempt = 0; ; attempt++) {
        const outcome = await prepared.send(this.#attemptBudgetMs());
        if (outcome.ok) {
          counted('delivered');
          if (unanswered > 0) this.#countPossibleDuplicates(unanswered);
          return;
        }
        if (outcome.unanswered) unanswered++;
        this.#reporter.add('failedRequests');
        this.#reporter.error(outcome.reason);
        if (!outcome.retryable) {
          counted('rejected');
          this.#reporter.reportOnce(outcome.reason, `logferry: Bugsnag refused an event (${outcome.reason}); it is not sent again`);
          return;
        }
        if (this.#pastDeadline() || this.#abandoned.has(pending.seq)) {
          counted('dropped');
          return;
        }
        this.#reporter.add('retries');
        this.#reporter.reportOnce(
          'retrying',
          `logferry: Bugsnag: an event could not be delivered (${outcome.reason}); events are kept (up to maxQueuedEvents) and sent again with backoff, counted in logStats().bugsnag.retries`,
        );
        await sleepWithin(backoffMs(attempt), this.#deadline);
      }
    } catch (error) {
      counted('dropped');
      this.#reporter.error(`Bugsnag sink: ${(error as Error).message}`);
    }
  }

  /** An attempt never runs past the exit deadline once close has set one. */
  #attemptBudgetMs(): number {
    const timeoutMs = this.#options.requestTimeoutMs;
    return this.#deadline === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, this.#deadline - Date.now()));
  }

  #countPossibleDuplicates(copies: number): void {
    this.#reporter.add('possibleDuplicates', copies);
    this.#reporter.reportOnce(
      'possible-duplicates',
      'logferry: Bugsnag: an event got no answer and was sent again, so Bugsnag may show it twice; this and later ones are counted in logStats().bugsnag.possibleDuplicates',
    );
  }

  #settle(): void {
    let oldest = this.#queue[0]?.seq ?? this.#nextSeq;
    for (const seq of this.#inFlight) oldest = Math.min(oldest, seq);
    this.#flushWaiters.settle(oldest - 1);
  }

  #wakeIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
