import { statIndex, viewSharedState } from '../../../src/wire/protocol.js';
import type { SpoolWire } from '../../../src/wire/sink-options.js';
import type { SinkReporter } from '../../../src/wire/sink-reporter.js';
import { nextPosition, SPOOL_START, type SpoolPosition, type SpoolState, segmentOf } from '../../../src/wire/spool-format.js';
import { CLAIM_HEARTBEAT_MS } from '../../../src/wire/spool-owner.js';
import type { DropOrigin } from '../drop-report.js';
import type { DiskBacklog, SenderOptions } from '../sender.js';
import { SpoolFiles } from './spool-files.js';
import { SpoolLedger } from './spool-ledger.js';
import { SpoolReader } from './spool-reader.js';
import { adoptDeadSpools, reportDamage } from './spool-recovery.js';

// The worker's half of the spool. With the spool on, the disk is the queue: the memory queue holds
// only what is about to be sent, and lines that do not fit stay on disk until it has room (the
// reader streams them at the pace of delivery). For each line in the queue the ledger keeps where
// it ends in its spool; after each batch the state file says how far CloudWatch has accepted (and,
// before it, how far the batch being sent reaches), and shipped segments are removed. At start,
// and every rescanMs, the spools of dead processes are adopted and go ahead of this process's own.

/** Own files are index 0 in the ledger; adopted spools follow. */
const OWN = 0;

/** Where a line of this process goes: kept on disk only, queued with its disk copy, or queued alone (not spooled). */
export type OwnLinePlace = 'disk' | 'spooled' | 'memory';

interface Tracked {
  files: SpoolFiles;
  state: SpoolState;
  reader: SpoolReader;
  /** Adopted: the last segment to read. Own: read up to the worker's position (#ownAt). */
  lastSegment: number | undefined;
  /** Lines on disk not yet handed to the queue (adopted: counted when adopted; own: lines kept on disk only). */
  waiting: number;
  /** Seq of the last line of this spool handed to the queue. */
  lastSeq: number;
  /** Adopted: everything on disk was read. */
  exhausted: boolean;
  done: boolean;
  /** A spool whose reading failed: its files stay for the next process once what was read is shipped. */
  keepFiles: boolean;
}

/** How the shipper reaches the queue: `enqueue` queues a line (time undefined: read from the line) and returns its seq. */
export interface ShipperQueue {
  enqueue(time: number | undefined, line: string): number;
  hasRoomFor(messageBytes: number): boolean;
  /** Called when lines are waiting on disk that the sender should come for (a spool adopted while running). */
  wake(): void;
  /** This process's drops not yet reported to CloudWatch, kept in its state file. */
  undeliveredDrops(): SpoolState['drops'];
  /** Queues the report of a dead process's drops (they name who logged them); returns its seq. */
  reportDrops(drops: NonNullable<SpoolState['drops']>, origin: DropOrigin): number;
}

export class SpoolShipper implements DiskBacklog {
  readonly #wire: SpoolWire;
  readonly #reporter: SinkReporter;
  readonly #stats: Float64Array;
  readonly #spooledSlot: number;
  readonly #duplicatesSlot: number;
  /** possibleDuplicates as the own state file last said it. */
  #duplicatesKept = 0;
  readonly #tracked: Tracked[];
  readonly #ledger = new SpoolLedger();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #rescan: NodeJS.Timeout;
  #queue: ShipperQueue | undefined;
  /** Where this process's last line seen by the worker ends in its spool. */
  #ownAt: SpoolPosition = SPOOL_START;
  /** Own lines the worker has seen, in the app's order. */
  #ownLines = 0;
  /** Lines ever known to wait on disk, and those since handed to the queue or given up: the difference waits. */
  #known = 0;
  #accounted = 0;
  /** The spools with lines in the batch being sent. */
  #sendingSpools: Tracked[] = [];
  /** How many drops the own state file holds. */
  #keptDrops = 0;
  /** Adopted spools whose drops were reported as line `seq`: once it is accepted, their state forgets them. */
  #dropReports: Array<{ tracked: Tracked; seq: number }> = [];

  constructor(wire: SpoolWire, sharedBuffer: SharedArrayBuffer, reporter: SinkReporter) {
    this.#wire = wire;
    this.#reporter = reporter;
    this.#stats = viewSharedState(sharedBuffer).stats;
    this.#spooledSlot = statIndex('cloudwatch', 'spooled');
    this.#duplicatesSlot = statIndex('cloudwatch', 'possibleDuplicates');
    const own = new SpoolFiles(wire.dir, wire.owner, wire.owner, wire.fsync);
    this.#tracked = [this.#track(own, { accepted: SPOOL_START, sending: SPOOL_START }, undefined)];
    this.#heartbeat = setInterval(() => {
      for (const tracked of this.#tracked) if (!tracked.done) tracked.files.touchClaim();
    }, CLAIM_HEARTBEAT_MS);
    this.#heartbeat.unref();
    // A process sharing the dir that dies after this one started leaves its spool behind: look again now and then.
    this.#rescan = setInterval(() => this.#guarded(() => this.#adopt()), wire.rescanMs);
    this.#rescan.unref();
  }

  /** Hooks for the sender: before a batch goes out, and once it is settled. */
  senderHooks(): Pick<SenderOptions, 'onBatchSending' | 'onBatchSettled' | 'onCopiesAtRisk' | 'backlog'> {
    return {
      onBatchSending: (seq) => this.#guarded(() => this.#sending(seq)),
      onBatchSettled: (seq) => this.#guarded(() => this.#settled(seq)),
      onCopiesAtRisk: (copies) => this.#guarded(() => this.#copiesAtRisk(copies)),
      backlog: this,
    };
  }

  /** Adopts dead processes' spools; their lines wait on disk until the queue has room. */
  recover(queue: ShipperQueue): void {
    this.#queue = queue;
    this.#adopt();
  }

  waiting(): number {
    return this.#known - this.#accounted;
  }

  known(): number {
    return this.#known;
  }

  accounted(): number {
    return this.#accounted;
  }

  queuedOnDisk(): number {
    return this.#ledger.length;
  }

  /** Hands lines waiting on disk to the queue while it has room: adopted spools first, oldest first, then this process's own. */
  refill(): void {
    if (!this.#queue || this.waiting() === 0) return;
    for (let index = 1; index <= this.#tracked.length; index++) {
      const at = index % this.#tracked.length;
      const tracked = this.#tracked[at] as Tracked;
      if (tracked.done || tracked.exhausted || (at === OWN && tracked.waiting === 0)) continue;
      if (!this.#read(tracked, at)) return;
    }
  }

  /**
   * Where a line of this process the sink ships goes (called for each, in order). A spooled line
   * waits on disk while the queue is full or earlier lines still wait there, so the order holds.
   */
  placeOwnLine(messageBytes: number): OwnLinePlace {
    this.#ownLines++;
    // The app's thread counts a line as spooled after writing it and before handing it over.
    if (this.#ownLines > (this.#stats[this.#spooledSlot] ?? 0)) return 'memory';
    const own = this.#tracked[OWN] as Tracked;
    const before = this.#ownAt;
    this.#ownAt = nextPosition(before, messageBytes, this.#wire.segmentBytes);
    if (own.waiting === 0 && this.waiting() === 0 && (this.#queue?.hasRoomFor(messageBytes) ?? true)) return 'spooled';
    if (own.waiting === 0) own.reader.at = before;
    own.waiting++;
    this.#known++;
    return 'disk';
  }

  /** The spooled own line placed last was queued as `seq`. */
  noteOwnQueued(seq: number): void {
    this.#ledger.push(seq, OWN, this.#ownAt);
  }

  /** At close: a spool whose every line CloudWatch accepted is removed; otherwise it stays for the next start. */
  close(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#rescan);
    const own = this.#tracked[OWN] as Tracked;
    const allSeen = this.#ownLines >= (this.#stats[this.#spooledSlot] ?? 0);
    // A drop report that never reached CloudWatch stays in the state file for the next process to send.
    const unreported = this.#queue?.undeliveredDrops() !== undefined;
    if (unreported) this.#guarded(() => this.#writeState(own));
    this.#queue = undefined;
    if (allSeen && !unreported && own.waiting === 0 && !this.#ledger.holds(OWN)) this.#guarded(() => own.files.removeAll());
  }

  #track(files: SpoolFiles, state: Tracked['state'], lastSegment: number | undefined): Tracked {
    return {
      files,
      state,
      reader: new SpoolReader(state.accepted, (segment) => files.segmentPath(segment)),
      lastSegment,
      waiting: 0,
      lastSeq: 0,
      exhausted: false,
      done: false,
      keepFiles: false,
    };
  }

  #adopt(): void {
    if (!this.#queue) return;
    for (const spool of adoptDeadSpools(this.#wire.dir, this.#wire.owner, this.#wire.fsync, this.#reporter)) {
      const tracked = this.#track(spool.files, spool.state, spool.segments.at(-1));
      this.#tracked.push(tracked);
      tracked.waiting = spool.lines;
      this.#known += spool.lines;
      const drops = spool.state.drops;
      if (drops && drops.count > 0) {
        // The dead process dropped lines and was killed before its report reached CloudWatch.
        this.#dropReports.push({ tracked, seq: this.#queue.reportDrops(drops, drops) });
      }
      if (spool.possibleDuplicates > 0) {
        this.#reporter.add('possibleDuplicates', spool.possibleDuplicates);
        this.#reporter.reportOnce(
          'spool-possible-duplicates',
          `logferry: CloudWatch spool: ${spool.possibleDuplicates} recovered lines were in the batch being sent when ${spool.files.owner} died, so the log stream may hold them twice (counted in logStats().cloudwatch.possibleDuplicates)`,
        );
        // Counted now: a process that adopts the spool after this one dies must not count them
        // again. The count is kept in the own state first: a kill between the two writes then
        // costs a count made twice, never one lost.
        this.#guarded(() => this.#keepDuplicatesCount());
        tracked.state.copies = 0;
        this.#guarded(() => this.#writeState(tracked));
      }
      if (spool.lines === 0 || tracked.lastSegment === undefined) this.#exhaust(tracked);
    }
    this.#keepDuplicatesCount();
    if (this.waiting() > 0) this.#queue.wake();
  }

  /** Reads `tracked` into the queue while it has room; false when the queue is full. */
  #read(tracked: Tracked, index: number): boolean {
    const queue = this.#queue as ShipperQueue;
    const own = index === OWN;
    let finished: boolean;
    try {
      finished = tracked.reader.read(own ? segmentOf(this.#ownAt) : (tracked.lastSegment as number), own ? this.#ownAt : undefined, {
        hasRoom: (bytes) => queue.hasRoomFor(bytes),
        line: (line, end) => {
          const seq = queue.enqueue(undefined, line);
          tracked.lastSeq = seq;
          this.#ledger.push(seq, index, end);
          tracked.waiting--;
          this.#accounted++;
          if (!own) this.#reporter.add('recovered');
        },
        missing: () => undefined,
        damaged: (segment, damage, before) => reportDamage(tracked.files, segment, damage, before, this.#reporter),
      });
    } catch (error) {
      this.#reporter.reportOnce(
        `spool-read-${tracked.files.owner}`,
        `logferry: CloudWatch spool: cannot read the spool of ${tracked.files.owner} (${(error as Error).message}); what was read is shipped, the files are left in ${this.#wire.dir}`,
      );
      tracked.keepFiles = true;
      finished = true;
    }
    if (!finished) return false;
    if (own) this.#giveUpOwn(tracked);
    else this.#exhaust(tracked);
    return true;
  }

  /** Own lines still counted as waiting once the reader reached the end are gone from disk (the cap removed their segment): lost, counted. */
  #giveUpOwn(own: Tracked): void {
    if (own.waiting <= 0) return;
    this.#reporter.add('dropped', own.waiting);
    this.#accounted += own.waiting;
    own.waiting = 0;
  }

  /** Everything of an adopted spool was read: what its count held beyond that was damaged, and is no longer waited for. */
  #exhaust(tracked: Tracked): void {
    tracked.exhausted = true;
    this.#accounted += tracked.waiting;
    tracked.waiting = 0;
    const index = this.#tracked.indexOf(tracked);
    if (!this.#ledger.holds(index)) this.#guarded(() => this.#finish(tracked));
  }

  /** A batch reaching `lastSeq` is about to go: its state is written by the attempt (#copiesAtRisk). */
  #sending(lastSeq: number): void {
    this.#sendingSpools = [];
    for (const [index, end] of this.#ledger.lastEnds(lastSeq)) {
      const tracked = this.#tracked[index] as Tracked;
      tracked.state.sending = end;
      // Unknown until the first attempt says: that attempt always writes the state.
      tracked.state.copies = undefined;
      this.#sendingSpools.push(tracked);
    }
  }

  /** Before each attempt, and after one that stored nothing: what an adopter would have to count if this process died now. */
  #copiesAtRisk(copies: number): void {
    for (const tracked of this.#sendingSpools) {
      if (tracked.done || tracked.state.copies === copies) continue;
      tracked.state.copies = copies;
      this.#writeState(tracked);
    }
    // Drops since the last write are kept too, at each attempt, whether or not own lines are in the batch.
    const drops = this.#queue?.undeliveredDrops()?.count ?? 0;
    if (drops !== this.#keptDrops) this.#writeState(this.#tracked[OWN] as Tracked);
  }

  #settled(lastSeq: number): void {
    // The sender has counted this batch's copies: kept before any state says `copies: 0` (see #adopt).
    this.#keepDuplicatesCount();
    this.#sendingSpools = [];
    for (const report of this.#dropReports.filter((candidate) => candidate.seq <= lastSeq)) report.tracked.state.drops = undefined;
    this.#dropReports = this.#dropReports.filter((report) => report.seq > lastSeq);
    for (const [index, end] of this.#ledger.take(lastSeq)) {
      const tracked = this.#tracked[index] as Tracked;
      tracked.state.accepted = end;
      // The sender counted this batch's copies when it settled it.
      tracked.state.copies = 0;
      if (index !== OWN && tracked.exhausted && lastSeq >= tracked.lastSeq) {
        this.#finish(tracked);
        continue;
      }
      this.#writeState(tracked);
      // Segments before the one holding the accepted position are shipped entirely.
      tracked.files.removeSegmentsBefore(segmentOf(end));
    }
    this.#keepDuplicatesCount();
  }

  /** The own state file says this process's possibleDuplicates whenever it changed: a kill does not take the count with it. */
  #keepDuplicatesCount(): void {
    const own = this.#tracked[OWN] as Tracked;
    if ((this.#stats[this.#duplicatesSlot] ?? 0) !== this.#duplicatesKept && !own.done) this.#writeState(own);
  }

  /** The spool never stops the sender: a file operation that fails is said once and costs duplicates at worst. */
  #guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#reporter.reportOnce('spool-io', `logferry: CloudWatch spool in ${this.#wire.dir}: ${(error as Error).message}`);
    }
  }

  #finish(tracked: Tracked): void {
    if (tracked.done) return;
    tracked.done = true;
    if (tracked.keepFiles) this.#writeState(tracked);
    else tracked.files.removeAll();
  }

  #writeState(tracked: Tracked): void {
    if (tracked === this.#tracked[OWN]) {
      tracked.state.drops = this.#queue?.undeliveredDrops();
      this.#keptDrops = tracked.state.drops?.count ?? 0;
      this.#duplicatesKept = this.#stats[this.#duplicatesSlot] ?? 0;
      tracked.state.ownerPossibleDuplicates = this.#duplicatesKept;
    }
    try {
      tracked.files.writeState(tracked.state);
    } catch (error) {
      this.#reporter.reportOnce(
        'spool-state',
        `logferry: CloudWatch spool: cannot write ${tracked.files.owner}'s state in ${this.#wire.dir} (${(error as Error).message}); a recovery after a crash may send lines twice`,
      );
    }
  }
}
