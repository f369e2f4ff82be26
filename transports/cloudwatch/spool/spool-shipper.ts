import { statIndex, viewSharedState } from '../../../src/wire/protocol.js';
import type { SpoolWire } from '../../../src/wire/sink-options.js';
import type { SinkReporter } from '../../../src/wire/sink-reporter.js';
import { nextPosition, SPOOL_START, type SpoolPosition, segmentOf } from '../../../src/wire/spool-format.js';
import { CLAIM_HEARTBEAT_MS } from '../../../src/wire/spool-owner.js';
import { SpoolFiles } from './spool-files.js';
import { SpoolLedger } from './spool-ledger.js';
import { adoptDeadSpools } from './spool-recovery.js';

// The worker's half of the spool. Lines still reach CloudWatch through memory as before; this
// keeps, for each queued line, where it ends in a spool file, and after each batch writes how far
// CloudWatch has accepted (and, before it, how far the batch being sent reaches), removes the
// segments that are shipped (the app's thread keeps it under maxBytes). At start it adopts the spools of
// dead processes and hands their lines to the queue ahead of this process's own.

/** Own files are index 0 in the ledger; adopted spools follow. */
const OWN = 0;

interface Tracked {
  files: SpoolFiles;
  state: { accepted: SpoolPosition; sending: SpoolPosition };
  /** Seq of the last line of this spool handed to the queue (adopted spools: fixed once read). */
  lastSeq: number;
  done: boolean;
  /** A spool read only in part: its files stay for the next process once what was read is shipped. */
  keepFiles: boolean;
}

export class SpoolShipper {
  readonly #wire: SpoolWire;
  readonly #reporter: SinkReporter;
  readonly #stats: Float64Array;
  readonly #spooledSlot: number;
  readonly #tracked: Tracked[];
  readonly #ledger = new SpoolLedger();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #rescan: NodeJS.Timeout;
  #enqueue: ((time: number | undefined, line: string) => number) | undefined;
  /** Where this process's last line seen by the worker ends in its spool. */
  #ownAt: SpoolPosition = SPOOL_START;
  /** Own lines the worker has seen, in the app's order. */
  #ownLines = 0;

  constructor(wire: SpoolWire, sharedBuffer: SharedArrayBuffer, reporter: SinkReporter) {
    this.#wire = wire;
    this.#reporter = reporter;
    this.#stats = viewSharedState(sharedBuffer).stats;
    this.#spooledSlot = statIndex('cloudwatch', 'spooled');
    const own = new SpoolFiles(wire.dir, wire.owner, wire.owner, wire.fsync);
    this.#tracked = [{ files: own, state: { accepted: SPOOL_START, sending: SPOOL_START }, lastSeq: 0, done: false, keepFiles: false }];
    this.#heartbeat = setInterval(() => {
      for (const tracked of this.#tracked) if (!tracked.done) tracked.files.touchClaim();
    }, CLAIM_HEARTBEAT_MS);
    this.#heartbeat.unref();
    // A process sharing the dir that dies after this one started leaves its spool behind: look again now and then.
    this.#rescan = setInterval(() => this.#guarded(() => this.#adopt()), wire.rescanMs);
    this.#rescan.unref();
  }

  /** Hooks for the sender: before a batch goes out, and once it is settled. */
  senderHooks(): { onBatchSending: (lastSeq: number) => void; onBatchSettled: (lastSeq: number) => void } {
    return {
      onBatchSending: (seq) => this.#guarded(() => this.#sending(seq)),
      onBatchSettled: (seq) => this.#guarded(() => this.#settled(seq)),
    };
  }

  /** Adopts dead processes' spools and queues their lines with `enqueue` (which returns the seq each got). */
  recover(enqueue: (time: number | undefined, line: string) => number): void {
    this.#enqueue = enqueue;
    this.#adopt();
  }

  #adopt(): void {
    const enqueue = this.#enqueue;
    if (!enqueue) return;
    const take = (files: SpoolFiles, state: Tracked['state']) => {
      const index = this.#tracked.push({ files, state, lastSeq: 0, done: false, keepFiles: false }) - 1;
      const tracked = this.#tracked[index] as Tracked;
      return (line: string, end: SpoolPosition) => {
        tracked.lastSeq = enqueue(undefined, line);
        this.#ledger.push(tracked.lastSeq, index, end);
      };
    };
    for (const spool of adoptDeadSpools(this.#wire.dir, this.#wire.owner, this.#wire.fsync, this.#reporter, take)) {
      const tracked = this.#tracked.find((candidate) => candidate.files === spool.files) as Tracked;
      tracked.keepFiles = !spool.complete;
      this.#reporter.add('recovered', spool.lines);
      if (spool.possibleDuplicates > 0) {
        this.#reporter.add('possibleDuplicates', spool.possibleDuplicates);
        this.#reporter.reportOnce(
          'spool-possible-duplicates',
          `logferry: CloudWatch spool: ${spool.possibleDuplicates} recovered lines were in the batch being sent when ${spool.files.owner} died, so the log stream may hold them twice (counted in logStats().cloudwatch.possibleDuplicates)`,
        );
      }
      if (spool.lines === 0) this.#finish(tracked);
    }
  }

  /** A line of this process queued as `seq` (called for every line the sink ships, in order). */
  noteOwnLine(seq: number, line: string): void {
    this.#ownLines++;
    // The app's thread counts a line as spooled after writing it and before handing it over.
    if (this.#ownLines > (this.#stats[this.#spooledSlot] ?? 0)) return;
    const at = nextPosition(this.#ownAt, Buffer.byteLength(line), this.#wire.segmentBytes);
    this.#ownAt = at;
    this.#ledger.push(seq, OWN, at);
  }

  /** At close: a spool whose every line CloudWatch accepted is removed; otherwise it stays for the next start. */
  close(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#rescan);
    this.#enqueue = undefined;
    const own = this.#tracked[OWN] as Tracked;
    const allSeen = this.#ownLines >= (this.#stats[this.#spooledSlot] ?? 0);
    if (allSeen && !this.#ledger.holds(OWN)) this.#guarded(() => own.files.removeAll());
  }

  #sending(lastSeq: number): void {
    for (const [index, end] of this.#ledger.lastEnds(lastSeq)) {
      const tracked = this.#tracked[index] as Tracked;
      tracked.state.sending = end;
      this.#writeState(tracked);
    }
  }

  #settled(lastSeq: number): void {
    for (const [index, end] of this.#ledger.take(lastSeq)) {
      const tracked = this.#tracked[index] as Tracked;
      tracked.state.accepted = end;
      if (index !== OWN && lastSeq >= tracked.lastSeq) {
        this.#finish(tracked);
        continue;
      }
      this.#writeState(tracked);
      // Segments before the one holding the accepted position are shipped entirely.
      tracked.files.removeSegmentsBefore(segmentOf(end));
    }
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
    tracked.done = true;
    if (tracked.keepFiles) this.#writeState(tracked);
    else tracked.files.removeAll();
  }

  #writeState(tracked: Tracked): void {
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
