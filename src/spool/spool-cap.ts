import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { statIndex } from '../wire/protocol.js';
import { offsetOf, readSegment, SPOOL_START, type SpoolState, segmentName, segmentOf, stateName } from '../wire/spool-format.js';

// maxBytes, kept by the app's thread that writes the spool. The worker cannot keep it: while the
// app logs a burst it runs behind, and the disk fills with what it has not seen yet. Checked once
// per new segment (a segment is maxBytes / 8), so the log call pays for it rarely.

/** Where the spool being capped lives, and what it may use. */
export interface CappedSpool {
  dir: string;
  owner: string;
  maxBytes: number;
  segmentBytes: number;
}

export class SpoolCap {
  readonly #spool: CappedSpool;
  readonly #stats: Float64Array;
  readonly #droppedSlot = statIndex('cloudwatch', 'spoolDropped');
  /** Records written to each segment this process may still have on disk. */
  readonly #records = new Map<number, number>();
  #said = false;

  constructor(spool: CappedSpool, stats: Float64Array) {
    this.#spool = spool;
    this.#stats = stats;
  }

  /** One record was written to `segment`. */
  noteRecord(segment: number): void {
    this.#records.set(segment, (this.#records.get(segment) ?? 0) + 1);
  }

  /**
   * Before segment `next` is started: removes the oldest segments until what is left and a full
   * new segment fit in maxBytes. Their lines not yet accepted by CloudWatch lose their disk copy,
   * counted in spoolDropped and said once (the worker counts those it then cannot read in dropped).
   */
  makeRoomFor(next: number): void {
    let total = 0;
    const onDisk: Array<[number, number]> = [];
    for (const segment of this.#records.keys()) {
      const size = statSync(this.#path(segment), { throwIfNoEntry: false })?.size;
      // Gone: the worker removed it once CloudWatch had accepted it.
      if (size === undefined) this.#records.delete(segment);
      else {
        onDisk.push([segment, size]);
        total += size;
      }
    }
    for (const [segment, size] of onDisk) {
      if (total + this.#spool.segmentBytes <= this.#spool.maxBytes || segment >= next) break;
      const lost = this.#unshipped(segment);
      unlinkSync(this.#path(segment));
      this.#records.delete(segment);
      total -= size;
      if (lost > 0) this.#count(lost);
    }
  }

  #path(segment: number): string {
    return join(this.#spool.dir, segmentName(this.#spool.owner, segment));
  }

  /** Records of `segment` past what the worker last wrote CloudWatch has accepted. */
  #unshipped(segment: number): number {
    const accepted = this.#accepted();
    if (segmentOf(accepted) > segment) return 0;
    const written = this.#records.get(segment) ?? 0;
    if (segmentOf(accepted) < segment) return written;
    try {
      return readSegment(readFileSync(this.#path(segment)), offsetOf(accepted)).records.length;
    } catch {
      return written;
    }
  }

  #accepted(): number {
    try {
      const state = JSON.parse(readFileSync(join(this.#spool.dir, stateName(this.#spool.owner)), 'utf8')) as Partial<SpoolState>;
      return typeof state.accepted === 'number' ? state.accepted : SPOOL_START;
    } catch {
      // No state yet (nothing accepted), or one being replaced: count every line as unshipped.
      return SPOOL_START;
    }
  }

  #count(lost: number): void {
    this.#stats[this.#droppedSlot] = (this.#stats[this.#droppedSlot] ?? 0) + lost;
    if (this.#said) return;
    this.#said = true;
    process.stderr.write(
      `logferry: CloudWatch spool over maxBytes (${this.#spool.maxBytes}) while the endpoint was slow or down: the oldest ${lost} unshipped lines lost their disk copy (those in the memory queue are still sent from there, those waiting on disk only are lost and counted in logStats().cloudwatch.dropped); this and later ones are counted in logStats().cloudwatch.spoolDropped\n`,
    );
  }
}
