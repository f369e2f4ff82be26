import { hostname } from 'node:os';
import { MAX_AGE_MS } from '../../src/wire/cloudwatch-limits.js';
import type { SinkReporter } from '../../src/wire/sink-reporter.js';
import { utf8Bytes } from '../../src/wire/utf8.js';
import { Sleeper } from '../shared/backoff.js';
import { FlushWaiters } from '../shared/flush-waiters.js';
import { BatchDelivery } from './batch-delivery.js';
import type { LogsApi } from './client.js';
import { type DropOrigin, dropReportLine } from './drop-report.js';
import { type DropRecord, EventQueue, mergeDrops, type OutgoingBatch } from './event-queue.js';
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

/**
 * At exit the request in flight is cut off this long before the deadline (or a tenth of the time
 * left, when less), so the counts the cut makes are published before the app's thread reads them.
 */
const CUT_OFF_AHEAD_MS = 50;

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
  /** Attempts at the piece the exit deadline cut off that may have stored it, and its events. */
  #cutOffAttempts = { unanswered: 0, events: 0 };
  readonly #next: NextBatch;
  #pumping = false;
  #timer: NodeJS.Timeout | undefined;
  #pausedUntil = 0;
  #closingDeadline: number | undefined;
  /** Aborted at the exit deadline: the request in flight ends, and none starts. */
  readonly #cutOff = new AbortController();
  #cutOffTimer: NodeJS.Timeout | undefined;
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
    this.#next = new NextBatch(api, this.#cutOff.signal);
    this.#delivery = new BatchDelivery({
      api,
      reporter,
      where: `${options.logGroupName}/${options.logStreamName}`,
      cutOff: this.#cutOff.signal,
      sleeper: this.#sleeper,
      pastDeadline: () => this.#pastDeadline(),
      closingDeadline: () => this.#closingDeadline,
      onFirstRequestSent: () => this.#prepareNext(),
      onRequestFailed: () => this.#next.discardRequest(),
      onProgress: () => this.#publishPending(),
      onCopiesAtRisk: (copies) => this.#options.onCopiesAtRisk?.(copies),
    });
    // Make the stream (and group) ready while the first lines arrive, not after the first batch
    // fills; a failure here is met again, and reported, by the first delivery.
    this.#api.ensureStream(this.#cutOff.signal).catch(() => undefined);
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
    clearTimeout(this.#cutOffTimer);
    clearTimeout(this.#timer);
    const backlog = this.#options.backlog;
    const unsent = this.queue.length + this.#next.events + (this.#inFlight?.pieces.remaining ?? 0);
    // With the spool, lines whose copy is on disk are not lost: the next process on the directory sends them.
    const kept = backlog ? Math.min(unsent, backlog.queuedOnDisk()) + backlog.waiting() : 0;
    const lost = unsent - Math.min(unsent, backlog?.queuedOnDisk() ?? 0);
    this.queue.clear();
    this.#next.clear();
    this.#inFlight = undefined;
    this.#countCutOffCopies();
    // Lines still on disk stay there for the next process; the flushes waiting on them are answered.
    for (const flush of this.#diskFlushes.splice(0)) this.#flushWaiters.add(flush.id, flush.seq);
    this.#reporter.add('dropped', lost);
    const bound = this.#reporter.endingBound?.() ?? 'LOG_EXIT_TIMEOUT_MS';
    if (lost > 0) process.stderr.write(`logferry: CloudWatch: ${lost} lines were not delivered before the exit deadline (${bound})\n`);
    if (kept > 0) {
      process.stderr.write(
        `logferry: CloudWatch: ${kept} lines were not delivered before the exit deadline (${bound}); they stay in the spool for the next process on LOG_SPOOL_DIR\n`,
      );
    }
    // Everything is delivered or counted now: every flush still waiting is answered.
    this.#settleFlushes();
    this.#api.destroy();
  }

  /**
   * Attempts the exit deadline cut off may have stored their piece. With the spool, the state file
   * already says so (`copies`) and the process that adopts the spool counts them when it sends the
   * lines again: counted here, they would be missed whenever the process ends before the worker's
   * close is reported. Without it, one of the copies may be the only one: the others are counted.
   */
  #countCutOffCopies(): void {
    const { unanswered, events } = this.#cutOffAttempts;
    this.#cutOffAttempts = { unanswered: 0, events: 0 };
    if (this.#options.backlog || unanswered < 2) return;
    const copies = (unanswered - 1) * events;
    this.#reporter.add('possibleDuplicates', copies);
    this.#reporter.reportOnce(
      'possible-duplicates-cut-off',
      `logferry: CloudWatch: requests cut off at the exit deadline may have been stored, so the log stream may hold ${copies} lines twice (counted in logStats().cloudwatch.possibleDuplicates)`,
    );
  }

  /**
   * From now on nothing waits past `deadline`: a backoff sleep or pause under way ends now, and
   * the request in flight is cut off just before it, so that what the cut leaves (pending lines,
   * the copies it may have stored) is counted before the app's thread reads the counters at the
   * deadline to say them.
   */
  #hurry(deadline: number): void {
    this.#closingDeadline = Math.min(this.#closingDeadline ?? Number.POSITIVE_INFINITY, deadline);
    this.#pausedUntil = 0;
    this.#sleeper.cutShort(this.#closingDeadline);
    // A request already on the wire when the exit began gets the same short bound as the ones after it.
    this.#api.tighten(exitAttemptMs(this.#closingDeadline - Date.now()));
    clearTimeout(this.#cutOffTimer);
    const cutAt = this.#closingDeadline - Math.min(CUT_OFF_AHEAD_MS, (this.#closingDeadline - Date.now()) / 10);
    this.#cutOffTimer = setTimeout(() => this.#cutOff.abort(), Math.max(0, cutAt - Date.now()));
  }

  #idle(): Promise<void> {
    if (!this.#pumping && (this.#isEmpty() || this.#pastDeadline())) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isEmpty(): boolean {
    return this.queue.length === 0 && this.#next.batch === undefined && !(this.#options.backlog?.waiting() ?? 0);
  }

  #pastDeadline(): boolean {
    // The cut-off timer and Date.now() are different clocks: the timer can fire (and abort) a
    // millisecond before Date.now() reaches the deadline, and no request may start after it.
    if (this.#cutOff.signal.aborted) return true;
    return this.#closingDeadline !== undefined && Date.now() >= this.#closingDeadline;
  }

  #shouldSend(): boolean {
    if (this.queue.length === 0) this.#refill();
    if (this.queue.length === 0 || this.#pastDeadline()) return false;
    if (this.#closingDeadline !== undefined || this.#flushWaiters.length > 0 || this.queue.hasFullBatch) return true;
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
      while (this.#next.batch !== undefined ? !this.#pastDeadline() : this.#shouldSend()) {
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
          this.#cutOffAttempts = { unanswered: outcome.unanswered, events: outcome.cutOffPiece };
          this.#countCutOffCopies();
          break;
        }
        this.#options.onBatchSettled?.(batch.lastSeq);
        this.#dropReports = this.#dropReports.filter((report) => report.seq > batch.lastSeq);
        this.#inFlight = undefined;
        this.#settleFlushes();
        this.#reportDrops();
        if (Date.now() < this.#pausedUntil && this.#closingDeadline === undefined) break;
      }
    } finally {
      this.#pumping = false;
      this.#settleFlushes();
      this.#armTimer();
      if (this.#isEmpty() || this.#pastDeadline()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
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
