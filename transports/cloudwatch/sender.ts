import { hostname } from 'node:os';
import { MAX_AGE_MS } from '../../src/wire/cloudwatch-limits.js';
import type { SinkReporter } from '../../src/wire/sink-reporter.js';
import { utf8Bytes } from '../../src/wire/utf8.js';
import { Sleeper } from '../shared/backoff.js';
import { FlushWaiters } from '../shared/flush-waiters.js';
import { BatchDelivery } from './batch-delivery.js';
import type { LogsApi } from './client.js';
import { countCutOffCopies, reportUnsentAtClose } from './closing-report.js';
import { type DropOrigin, dropReportLine } from './drop-report.js';
import { type DropRecord, EventQueue, mergeDrops, type OutgoingBatch } from './event-queue.js';
import { ExitDeadline } from './exit-deadline.js';
import { NextBatch } from './next-batch.js';
import { BatchPieces } from './refusals.js';
import { exitAttemptMs } from './retry.js';

// Sends batches in order: one PutLogEvents in flight at a time, the next batch filling (and, once
// full, prepared: next-batch.ts) meanwhile; batch-delivery.ts sends each. Flush markers are answered
// once everything before them is settled, after the counters say so. Nothing here is awaited by
// the read loop, so a slow endpoint never backs up into the app's thread.

export interface SenderOptions {
  logGroupName: string;
  logStreamName: string;
  retentionDays?: number;
  flushIntervalMs: number;
  maxQueueBytes: number;
  /** Called before a batch is sent with the seq of its last event (the spool records how far a batch that may be stored reaches). */
  onBatchSending?: (lastSeq: number) => void;
  /** Called once a batch is settled (accepted, or refused or given up and counted) with the seq of its last event. */
  onBatchSettled?: (lastSeq: number) => void;
  /** Copies of the batch in flight that attempts not yet counted may have stored (the spool keeps it for an adopter). */
  onCopiesAtRisk?: (copies: number) => void;
  /** With the spool on: lines waiting on disk, moved to the queue as it makes room. */
  backlog?: DiskBacklog;
}

/** Lines that wait on disk rather than in the queue (the spool): the queue takes them as it has room. */
export interface DiskBacklog {
  /** Lines waiting on disk now. */
  waiting(): number;
  /** Lines ever known to wait on disk (only grows). */
  known(): number;
  /** Of those, the lines since queued or given up (only grows). */
  accounted(): number;
  /** Queues waiting lines, oldest first, while the queue has room. */
  refill(): void;
  /** Lines in the queue or in flight whose copy is on disk: at close they stay there for the next process. */
  queuedOnDisk(): number;
}

/** After a failure no retry can fix, wait this long before trying the next batch. */
const FATAL_PAUSE_MS = 30_000;

/**
 * Behind a full batch, the rest of a backlog goes once no line has arrived for this long: the
 * app hands a backlog over in slices of the shared buffer, so a queue that is short of a batch may
 * only be waiting for the next slice, and a pause this long says the backlog has all arrived.
 */
export const BACKLOG_QUIET_MS = 5;

export class CloudWatchSender {
  readonly queue: EventQueue;
  readonly #api: LogsApi;
  readonly #options: SenderOptions;
  readonly #reporter: SinkReporter;
  readonly #flushWaiters: FlushWaiters;
  readonly #sleeper = new Sleeper();
  readonly #delivery: BatchDelivery;
  /** The batch being delivered, and its pieces still to go (kept when the exit deadline cut it off). */
  #inFlight: { batch: OutgoingBatch; pieces: BatchPieces } | undefined;
  readonly #next: NextBatch;
  #pumping = false;
  #timer: NodeJS.Timeout | undefined;
  #pausedUntil = 0;
  readonly #deadline = new ExitDeadline();
  #idleWaiters: Array<() => void> = [];
  /** The last batch taken was full: what is queued behind it is the rest of a backlog. */
  #draining = false;
  /** Flushes that cover lines still on disk: each waits until the disk line it covers is queued. */
  readonly #diskFlushes: Array<{ id: number; seq: number; diskLines: number }> = [];
  /** The backlog is moving lines to the queue (enqueue then leaves the sending to the caller). */
  #refilling = false;
  /** Drops of this process whose report line is queued or being sent: the spool keeps them until it is accepted. */
  #dropReports: Array<{ drops: DropRecord; seq: number }> = [];

  constructor(api: LogsApi, options: SenderOptions, reporter: SinkReporter) {
    this.#api = api;
    this.#options = options;
    this.#reporter = reporter;
    this.#flushWaiters = new FlushWaiters(reporter);
    this.queue = new EventQueue(options.maxQueueBytes);
    this.#next = new NextBatch(api, this.#deadline.signal);
    this.#delivery = new BatchDelivery({
      api,
      reporter,
      where: `${options.logGroupName}/${options.logStreamName}`,
      cutOff: this.#deadline.signal,
      sleeper: this.#sleeper,
      pastDeadline: () => this.#deadline.passed(),
      closingDeadline: () => this.#deadline.at,
      onFirstRequestSent: () => this.#prepareNext(),
      onRequestFailed: () => this.#next.discardRequest(),
      onProgress: () => this.#publishPending(),
      onCopiesAtRisk: (copies) => this.#options.onCopiesAtRisk?.(copies),
    });
    // Make the stream (and group) ready while the first lines arrive, not after the first batch
    // fills; a failure here is met again, and reported, by the first delivery.
    this.#api.ensureStream(this.#deadline.signal).catch(() => undefined);
  }

  /** Queues one event; never waits. `messageBytes`: its UTF-8 length, when the caller has counted it. */
  enqueue(timestamp: number, message: string, overCap = false, messageBytes = utf8Bytes(message)): void {
    const dropped = this.queue.push(timestamp, message, messageBytes, Date.now(), overCap);
    if (dropped > 0) this.#reporter.add('dropped', dropped);
    if (this.#refilling) return;
    this.#publishPending();
    if (this.queue.hasFullBatch) {
      void this.#pump();
      this.#prepareNext();
    } else this.#armTimer();
  }

  /** Answer flush `id` once every event queued so far is settled. */
  markFlush(id: number): void {
    // The app's thread sets the exit deadline before it hands over its last marker: from then on
    // no backoff or pause outlasts it.
    const exitDeadline = this.#reporter.exitDeadline();
    if (exitDeadline > 0) this.#hurry(exitDeadline);
    const backlog = this.#options.backlog;
    if (backlog && (this.#diskFlushes.length > 0 || backlog.waiting() > 0)) {
      // Lines on disk get their seq when queued: this flush waits until the last of them is.
      this.#diskFlushes.push({ id, seq: this.queue.lastSeq, diskLines: backlog.known() });
      this.refillFromDisk();
    } else this.#flushWaiters.add(id, this.queue.lastSeq);
    this.#settleFlushes();
    void this.#pump();
  }

  /** Moves lines waiting on disk to the queue while it has room, and sends them. */
  refillFromDisk(): void {
    this.#refill();
    if (this.queue.length > 0) void this.#pump();
  }

  #refill(): void {
    const backlog = this.#options.backlog;
    if (!backlog || this.#refilling) return;
    this.#refilling = true;
    try {
      backlog.refill();
    } finally {
      this.#refilling = false;
    }
    // A flush covering disk lines now all queued (or given up) waits on the seqs they got.
    while (this.#diskFlushes.length > 0 && (this.#diskFlushes[0]?.diskLines ?? 0) <= backlog.accounted()) {
      const flush = this.#diskFlushes.shift() as { id: number; seq: number };
      this.#flushWaiters.add(flush.id, Math.max(flush.seq, this.queue.lastSeq));
    }
    this.#publishPending();
  }

  /** Sends everything held, waiting at most `budgetMs`; what is still undelivered then is counted as dropped. */
  async close(budgetMs: number): Promise<void> {
    this.#hurry(Date.now() + budgetMs);
    void this.#pump();
    await this.#idle();
    this.#deadline.release();
    clearTimeout(this.#timer);
    const backlog = this.#options.backlog;
    const unsent = this.queue.length + this.#next.events + (this.#inFlight?.pieces.remaining ?? 0);
    // With the spool, lines whose copy is on disk are not lost: the next process on the directory sends them.
    const spool = backlog && { queuedOnDisk: backlog.queuedOnDisk(), waiting: backlog.waiting() };
    this.queue.clear();
    this.#next.clear();
    this.#inFlight = undefined;
    // Lines still on disk stay there for the next process; the flushes waiting on them are answered.
    for (const flush of this.#diskFlushes.splice(0)) this.#flushWaiters.add(flush.id, flush.seq);
    reportUnsentAtClose(this.#reporter, { unsent, spool });
    // Everything is delivered or counted now: every flush still waiting is answered.
    this.#settleFlushes();
    this.#api.destroy();
  }

  /** From now on nothing waits past `deadline` (exit-deadline.ts): a backoff sleep or pause under way ends now. */
  #hurry(deadline: number): void {
    const at = this.#deadline.set(deadline);
    this.#pausedUntil = 0;
    this.#sleeper.cutShort(at);
    // A request already on the wire when the exit began gets the same short bound as the ones after it.
    this.#api.tighten(exitAttemptMs(at - Date.now()));
  }

  #idle(): Promise<void> {
    if (!this.#pumping && (this.#isEmpty() || this.#deadline.passed())) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isEmpty(): boolean {
    return this.queue.length === 0 && this.#next.batch === undefined && !(this.#options.backlog?.waiting() ?? 0);
  }

  #shouldSend(): boolean {
    if (this.queue.length === 0) this.#refill();
    if (this.queue.length === 0 || this.#deadline.passed()) return false;
    if (this.#deadline.at !== undefined || this.#flushWaiters.length > 0 || this.queue.hasFullBatch) return true;
    // Lines waiting on disk have waited already: they go at the pace the endpoint takes them.
    if ((this.#options.backlog?.waiting() ?? 0) > 0 || this.#diskFlushes.length > 0) return true;
    // The rest of a backlog (a burst) goes once it has all arrived, without the interval: the
    // interval is there to gather lines that come slowly, and these have waited already.
    return Date.now() >= this.#partialBatchDue();
  }

  /** When a batch that is not full may go (the queue is not empty). */
  #partialBatchDue(): number {
    const interval = (this.queue.oldestQueuedAt ?? Date.now()) + this.#options.flushIntervalMs;
    return this.#draining ? Math.min(interval, (this.queue.newestQueuedAt ?? Date.now()) + BACKLOG_QUIET_MS) : interval;
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#pumping || this.#isEmpty()) return;
    // A batch already taken is full: it goes as soon as sending may resume.
    const due = this.#next.batch !== undefined ? Date.now() : this.#partialBatchDue();
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
      while (this.#next.batch !== undefined ? !this.#deadline.passed() : this.#shouldSend()) {
        const next = this.#next.take();
        const batch = next?.batch ?? this.#takeBatch();
        if (!batch) break;
        this.#inFlight = { batch, pieces: new BatchPieces(batch.events) };
        this.#publishPending();
        this.#options.onBatchSending?.(batch.lastSeq);
        const outcome = await this.#delivery.deliver(this.#inFlight.pieces, next?.put);
        if (outcome.fatal) this.#pausedUntil = Date.now() + FATAL_PAUSE_MS;
        // Cut off at the deadline, what is left stays in flight (and pending, as the app's thread
        // reads it at its own deadline) until close counts it.
        if (outcome.cutOff > 0) {
          const attempts = { unanswered: outcome.unanswered, events: outcome.cutOffPiece };
          countCutOffCopies(this.#reporter, attempts, this.#options.backlog !== undefined);
          break;
        }
        this.#options.onBatchSettled?.(batch.lastSeq);
        this.#dropReports = this.#dropReports.filter((report) => report.seq > batch.lastSeq);
        this.#inFlight = undefined;
        this.#settleFlushes();
        this.#reportDrops();
        if (Date.now() < this.#pausedUntil && this.#deadline.at === undefined) break;
      }
    } finally {
      this.#pumping = false;
      this.#settleFlushes();
      this.#armTimer();
      if (this.#isEmpty() || this.#deadline.passed()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #takeBatch(): OutgoingBatch | undefined {
    this.#refill();
    this.#draining = this.queue.hasFullBatch;
    const batch = this.queue.takeBatch(Date.now(), maxAgeMs(this.#options.retentionDays));
    // Counted when the timestamps are replaced, so a batch later split or lost still counts them.
    if (batch) this.#reporter.add('restamped', batch.restamped);
    // The room the batch made is filled from disk at once, so the next batch is ready behind it.
    this.#refill();
    return batch;
  }

  /** While a request is answered, takes the next batch once it is full and has it prepared. */
  #prepareNext(): void {
    if (!this.#delivery.awaitingAnswer) return;
    if (this.#next.batch === undefined && !this.queue.hasFullBatch) return;
    if (this.#next.prepare(() => this.#takeBatch())) this.#publishPending();
  }

  /** Counters first, then the answers: a flush answered reads counters that include everything it covers. */
  #settleFlushes(): void {
    this.#publishPending();
    this.#flushWaiters.settle(((this.#inFlight?.batch ?? this.#next.batch)?.firstSeq ?? this.queue.firstSeq) - 1);
  }

  /** Once the endpoint takes lines again, one line says how many were dropped meanwhile, and when. */
  #reportDrops(): void {
    const drops = this.queue.takeDrops();
    if (!drops) return;
    this.#dropReports.push({ drops, seq: this.reportDrops(drops, this.#origin()) });
  }

  #origin(): DropOrigin {
    return { pid: process.pid, hostname: hostname(), logStream: this.#options.logStreamName };
  }

  /** Queues the line saying `origin` dropped lines (this process's, or a dead one's the spool kept); returns its seq. */
  reportDrops(drops: DropRecord, origin: DropOrigin): number {
    const now = Date.now();
    this.enqueue(now, dropReportLine(drops, this.#options.maxQueueBytes, now, origin), true);
    return this.queue.lastSeq;
  }

  /** This process's drops whose report has not been accepted yet (the spool keeps them, so a kill does not lose them). */
  undeliveredDrops(): (DropRecord & DropOrigin) | undefined {
    const drops = this.#dropReports.reduce<DropRecord | undefined>((all, report) => mergeDrops(all, report.drops), this.queue.drops);
    return drops && { ...drops, ...this.#origin() };
  }

  #publishPending(): void {
    const inFlight = this.#inFlight?.pieces.remaining ?? 0;
    const onDisk = this.#options.backlog?.waiting() ?? 0;
    this.#reporter.set('pending', this.queue.length + inFlight + this.#next.events + onDisk);
    this.#reporter.set('queuedBytes', this.queue.bytes);
  }
}

function maxAgeMs(retentionDays: number | undefined): number {
  return retentionDays === undefined ? MAX_AGE_MS : Math.min(MAX_AGE_MS, retentionDays * 24 * 60 * 60 * 1000);
}
