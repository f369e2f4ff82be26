import { backoffMs, sleepWithin } from '../shared/backoff.js';
import { FlushWaiters } from '../shared/flush-waiters.js';
import type { SinkReporter } from '../shared/sink-reporter.js';
import { utf8Bytes } from '../shared/utf8.js';
import { EVENT_OVERHEAD_BYTES, EventQueue, MAX_AGE_MS, type OutgoingBatch } from './batcher.js';
import type { LogsApi, PreparedPut } from './client.js';
import { classifyFailure, describeFailure, mayHaveBeenStored } from './retry.js';

// Drains the queue into PutLogEvents: one request in flight at a time so order holds, the
// next batch filling (and, once full, serialized and signed) meanwhile; retries with backoff; creates the group and stream when
// missing; answers flush markers once everything before them is settled. Nothing here is
// awaited by the read loop, so a slow endpoint never backs up into the app's thread.

export interface SenderOptions {
  logGroupName: string;
  logStreamName: string;
  createGroup: boolean;
  retentionDays?: number;
  flushIntervalMs: number;
  maxQueueBytes: number;
  /** Called before a batch is sent with the seq of its last event (the spool records how far a batch that may be stored reaches). */
  onBatchSending?: (lastSeq: number) => void;
  /** Called once a batch is settled (accepted, or refused or given up and counted) with the seq of its last event. */
  onBatchSettled?: (lastSeq: number) => void;
}

/** After a failure no retry can fix, wait this long before trying the next batch. */
const FATAL_PAUSE_MS = 30_000;
/** Creating resources that then still do not exist this many times in a row is a hard failure, not a loop. */
const MAX_CREATIONS_IN_A_ROW = 3;

export class CloudWatchSender {
  readonly queue: EventQueue;
  readonly #api: LogsApi;
  readonly #options: SenderOptions;
  readonly #reporter: SinkReporter;
  readonly #flushWaiters: FlushWaiters;
  #inFlight: OutgoingBatch | undefined;
  /** The full batch after the one in flight, prepared while that one is answered. */
  #next: { batch: OutgoingBatch; put: PreparedPut | undefined } | undefined;
  /** True while a request is on the wire: the time to prepare the next one. */
  #awaitingAnswer = false;
  /** Events of batches the exit deadline cut off mid-delivery: lost, and said so at close. */
  #cutOffAtDeadline = 0;
  #pumping = false;
  #timer: NodeJS.Timeout | undefined;
  #resourcesReady = false;
  #creating: Promise<void> | undefined;
  #creationsInARow = 0;
  #pausedUntil = 0;
  #closingDeadline: number | undefined;
  #abort = new AbortController();
  #idleWaiters: Array<() => void> = [];

  constructor(api: LogsApi, options: SenderOptions, reporter: SinkReporter) {
    this.#api = api;
    this.#options = options;
    this.#reporter = reporter;
    this.#flushWaiters = new FlushWaiters(reporter);
    this.queue = new EventQueue(options.maxQueueBytes);
    // Make the stream (and group) ready while the first lines arrive, not after the first batch
    // fills; a failure here is met again, and reported, by the first delivery.
    this.#ensureResources().catch(() => undefined);
  }

  /** Queues one event; never waits. `messageBytes`: its UTF-8 length, when the caller has counted it. */
  enqueue(timestamp: number, message: string, overCap = false, messageBytes = utf8Bytes(message)): void {
    const dropped = this.queue.push(timestamp, message, messageBytes, Date.now(), overCap);
    if (dropped > 0) this.#reporter.add('dropped', dropped);
    this.#publishPending();
    if (this.queue.hasFullBatch) {
      void this.#pump();
      this.#prepareNext();
    } else this.#armTimer();
  }

  /** Answer flush `id` once every event queued so far is settled. */
  markFlush(id: number): void {
    this.#flushWaiters.add(id, this.queue.lastSeq);
    this.#settleFlushes();
    void this.#pump();
  }

  /** Sends everything held, waiting at most `budgetMs`; what is still undelivered then is counted as dropped. */
  async close(budgetMs: number): Promise<void> {
    this.#closingDeadline = Date.now() + budgetMs;
    this.#pausedUntil = 0;
    const cutOff = setTimeout(() => this.#abort.abort(), budgetMs);
    void this.#pump();
    await this.#idle();
    clearTimeout(cutOff);
    clearTimeout(this.#timer);
    this.#next?.put?.discard();
    const lost =
      this.queue.clear() + (this.#inFlight?.events.length ?? 0) + (this.#next?.batch.events.length ?? 0) + this.#cutOffAtDeadline;
    this.#next = undefined;
    if (lost > 0) {
      this.#reporter.add('dropped', lost);
      process.stderr.write(`logferry: CloudWatch: ${lost} lines were not delivered before the exit deadline (LOG_EXIT_TIMEOUT_MS)\n`);
    }
    this.#publishPending();
    this.#api.destroy();
  }

  #idle(): Promise<void> {
    if (!this.#pumping && (this.#isEmpty() || this.#pastDeadline())) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isEmpty(): boolean {
    return this.queue.length === 0 && this.#next === undefined;
  }

  #pastDeadline(): boolean {
    // The cut-off timer and Date.now() are different clocks: the timer can fire (and abort) a
    // millisecond before Date.now() reaches the deadline, and no request may start after it.
    if (this.#abort.signal.aborted) return true;
    return this.#closingDeadline !== undefined && Date.now() >= this.#closingDeadline;
  }

  #shouldSend(): boolean {
    if (this.queue.length === 0 || this.#pastDeadline()) return false;
    if (this.#closingDeadline !== undefined || this.#flushWaiters.length > 0 || this.queue.hasFullBatch) return true;
    return Date.now() - (this.queue.oldestQueuedAt ?? Date.now()) >= this.#options.flushIntervalMs;
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#pumping || this.#isEmpty()) return;
    // A batch already taken is full: it goes as soon as sending may resume.
    const due = this.#next !== undefined ? Date.now() : (this.queue.oldestQueuedAt ?? Date.now()) + this.#options.flushIntervalMs;
    const wait = Math.max(0, due - Date.now(), this.#pausedUntil - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, wait);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    if (Date.now() < this.#pausedUntil) {
      this.#armTimer();
      return;
    }
    this.#pumping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      while (this.#next !== undefined ? !this.#pastDeadline() : this.#shouldSend()) {
        const next = this.#next;
        this.#next = undefined;
        const batch = next?.batch ?? this.#takeBatch();
        if (!batch) break;
        this.#inFlight = batch;
        this.#publishPending();
        this.#options.onBatchSending?.(batch.lastSeq);
        const unsettled = await this.#deliver(batch, next?.put);
        this.#cutOffAtDeadline += unsettled;
        if (unsettled === 0) this.#options.onBatchSettled?.(batch.lastSeq);
        this.#inFlight = undefined;
        this.#settleFlushes();
        this.#reportDrops();
        if (Date.now() < this.#pausedUntil && this.#closingDeadline === undefined) break;
      }
    } finally {
      this.#pumping = false;
      this.#publishPending();
      this.#settleFlushes();
      this.#armTimer();
      if (this.#isEmpty() || this.#pastDeadline()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /**
   * Resolves when the batch is accepted or given up on (counted), with 0; or, when the exit
   * deadline comes first, with how many of its events are still unsettled. Never throws.
   */
  async #deliver(batch: OutgoingBatch, prepared?: PreparedPut): Promise<number> {
    let attempt = 0;
    /** Attempts that got no answer: each may have stored the batch once more. */
    let unanswered = 0;
    let put = prepared;
    while (!this.#pastDeadline()) {
      try {
        if (!this.#resourcesReady) {
          put?.discard();
          put = undefined;
          await this.#ensureResources();
        }
        const answer = (put ?? this.#api.preparePutLogEvents(batch.events, this.#abort.signal)).send();
        put = undefined;
        this.#awaitingAnswer = true;
        // Next turn, so this request's bytes are on the socket before the CPU goes to the next one;
        // not while retrying, when a prepared request would likely be discarded again.
        if (attempt === 0) setImmediate(() => this.#prepareNext());
        const result = await answer;
        this.#awaitingAnswer = false;
        this.#accepted(batch, result.rejected);
        if (unanswered > 0) this.#countPossibleDuplicates(batch.events.length * unanswered);
        return 0;
      } catch (error) {
        // Set only once the request was sent: a failed stream creation stores no lines.
        const putWasSent = this.#awaitingAnswer;
        this.#awaitingAnswer = false;
        // The next batch waits for this one: its signed request would only age meanwhile.
        if (this.#next) {
          this.#next.put?.discard();
          this.#next.put = undefined;
        }
        if (this.#abort.signal.aborted) break;
        this.#reporter.add('failedRequests');
        this.#reporter.error(describeFailure(error));
        const kind = classifyFailure(error);
        if (kind === 'missing-resource' && ++this.#creationsInARow <= MAX_CREATIONS_IN_A_ROW) {
          this.#resourcesReady = false;
          continue;
        }
        if (kind === 'retry') {
          if (putWasSent && mayHaveBeenStored(error)) unanswered++;
          this.#reporter.add('retries');
          await sleepWithin(backoffMs(attempt++), this.#closingDeadline);
          continue;
        }
        if (kind === 'invalid-batch' && batch.events.length > 1) return this.#deliverHalves(batch);
        this.#giveUp(batch, kind === 'invalid-batch' ? 'rejected' : 'dropped', error);
        return 0;
      }
    }
    put?.discard();
    return batch.events.length;
  }

  #takeBatch(): OutgoingBatch | undefined {
    const batch = this.queue.takeBatch(Date.now(), maxAgeMs(this.#options.retentionDays));
    // Counted when the timestamps are replaced, so a batch later split or lost still counts them.
    if (batch) this.#reporter.add('restamped', batch.restamped);
    return batch;
  }

  /** While a request is answered, takes the next batch once it is full and has it serialized and signed. */
  #prepareNext(): void {
    if (!this.#awaitingAnswer) return;
    if (this.#next === undefined) {
      if (!this.queue.hasFullBatch) return;
      const batch = this.#takeBatch();
      if (!batch) return;
      this.#next = { batch, put: undefined };
      this.#publishPending();
    }
    try {
      this.#next.put ??= this.#api.preparePutLogEvents(this.#next.batch.events, this.#abort.signal);
    } catch {
      // Not prepared now, it is when its turn comes (and any failure is met and reported then).
    }
  }

  // A refused batch is split rather than resent whole, so one bad event costs only itself.
  async #deliverHalves(batch: OutgoingBatch): Promise<number> {
    const middle = Math.ceil(batch.events.length / 2);
    const halves = [batch.events.slice(0, middle), batch.events.slice(middle)];
    for (const [index, events] of halves.entries()) {
      const bytes = events.reduce((sum, event) => sum + utf8Bytes(event.message) + EVENT_OVERHEAD_BYTES, 0);
      const unsettled = await this.#deliver({ ...batch, events, bytes });
      if (unsettled > 0) return unsettled + (index === 0 ? (halves[1]?.length ?? 0) : 0);
    }
    return 0;
  }

  #accepted(
    batch: OutgoingBatch,
    rejected: { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number } | undefined,
  ): void {
    this.#creationsInARow = 0;
    let refused = 0;
    if (rejected) {
      const tooOld = Math.max((rejected.tooOldLogEventEndIndex ?? -1) + 1, (rejected.expiredLogEventEndIndex ?? -1) + 1);
      const tooNew = rejected.tooNewLogEventStartIndex === undefined ? 0 : batch.events.length - rejected.tooNewLogEventStartIndex;
      refused = Math.min(batch.events.length, tooOld + tooNew);
      this.#reporter.add('rejected', refused);
      this.#reporter.reportOnce(
        'rejected',
        `logferry: CloudWatch refused ${refused} events for their timestamps (${JSON.stringify(rejected)}); further refusals are counted in logStats()`,
      );
    }
    this.#reporter.add('delivered', batch.events.length - refused);
    this.#reporter.add('batches');
  }

  #countPossibleDuplicates(lines: number): void {
    this.#reporter.add('possibleDuplicates', lines);
    this.#reporter.reportOnce(
      'possible-duplicates',
      `logferry: CloudWatch: a PutLogEvents request got no answer and was sent again, so the log stream may hold ${lines} lines twice; this and later ones are counted in logStats().cloudwatch.possibleDuplicates`,
    );
  }

  #giveUp(batch: OutgoingBatch, counter: 'rejected' | 'dropped', error: unknown): void {
    this.#reporter.add(counter, batch.events.length);
    const description = describeFailure(error);
    this.#reporter.reportOnce(
      description,
      `logferry: CloudWatch ${this.#options.logGroupName}/${this.#options.logStreamName}: ${description}; ${batch.events.length} lines lost (counted in logStats())`,
    );
    if (counter === 'dropped') {
      this.#pausedUntil = Date.now() + FATAL_PAUSE_MS;
      this.#creationsInARow = 0;
    }
  }

  /** One creation at a time, shared by whoever needs the stream. */
  #ensureResources(): Promise<void> {
    this.#creating ??= this.#createResources().finally(() => {
      this.#creating = undefined;
    });
    return this.#creating;
  }

  async #createResources(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      await this.#api.createLogStream(signal);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceAlreadyExistsException') {
        this.#resourcesReady = true;
        return;
      }
      if (name !== 'ResourceNotFoundException') throw error;
      if (!this.#options.createGroup) {
        throw Object.assign(new Error(`log group ${this.#options.logGroupName} does not exist and CLOUDWATCH_CREATE_GROUP is false`), {
          name: 'LogGroupMissing',
        });
      }
      await this.#createGroup(signal);
      await this.#api.createLogStream(signal).catch((again: { name?: string }) => {
        if (again.name !== 'ResourceAlreadyExistsException') throw again;
      });
    }
    this.#resourcesReady = true;
  }

  async #createGroup(signal: AbortSignal): Promise<void> {
    try {
      await this.#api.createLogGroup(signal);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceAlreadyExistsException') return;
      throw error;
    }
    // Retention is applied once, to a group this sink created: an existing group keeps what its owners set.
    if (this.#options.retentionDays !== undefined) await this.#api.putRetentionPolicy(this.#options.retentionDays, signal);
  }

  #settleFlushes(): void {
    this.#flushWaiters.settle(((this.#inFlight ?? this.#next?.batch)?.firstSeq ?? this.queue.firstSeq) - 1);
  }

  /** Once the endpoint takes lines again, one line says how many were dropped meanwhile, and when. */
  #reportDrops(): void {
    const drops = this.queue.takeDrops();
    if (!drops) return;
    const line = {
      level: 40,
      time: Date.now(),
      module: 'logferry',
      msg: `logferry dropped ${drops.count} lines between ${new Date(drops.firstAt).toISOString()} and ${new Date(drops.lastAt).toISOString()}: the CloudWatch queue was over maxQueueBytes (${this.#options.maxQueueBytes}) while the endpoint was slow or down`,
      droppedLines: drops.count,
      droppedFrom: new Date(drops.firstAt).toISOString(),
      droppedUntil: new Date(drops.lastAt).toISOString(),
    };
    this.enqueue(line.time, JSON.stringify(line), true);
  }

  #publishPending(): void {
    this.#reporter.set('pending', this.queue.length + (this.#inFlight?.events.length ?? 0) + (this.#next?.batch.events.length ?? 0));
    this.#reporter.set('queuedBytes', this.queue.bytes);
  }
}

function maxAgeMs(retentionDays: number | undefined): number {
  return retentionDays === undefined ? MAX_AGE_MS : Math.min(MAX_AGE_MS, retentionDays * 24 * 60 * 60 * 1000);
}
