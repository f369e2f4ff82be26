import type { SpoolPosition } from '../../../src/wire/spool-format.js';

// For each queued line that is in a spool: its queue seq, which spool, and where it ends there.
// Three growable typed arrays used as a FIFO, so a queued line costs a few bytes and no object.
// Pure: no I/O.

const INITIAL_ENTRIES = 1024;

export class SpoolLedger {
  #seqs = new Float64Array(INITIAL_ENTRIES);
  #ends = new Float64Array(INITIAL_ENTRIES);
  #spools = new Uint32Array(INITIAL_ENTRIES);
  #head = 0;
  #tail = 0;

  get length(): number {
    return this.#tail - this.#head;
  }

  push(seq: number, spool: number, end: SpoolPosition): void {
    if (this.#tail === this.#seqs.length) this.#makeRoom();
    this.#seqs[this.#tail] = seq;
    this.#ends[this.#tail] = end;
    this.#spools[this.#tail] = spool;
    this.#tail++;
  }

  /** Per spool, where its last line with a seq up to `seq` ends (entries stay). */
  lastEnds(seq: number): Map<number, SpoolPosition> {
    const ends = new Map<number, SpoolPosition>();
    for (let i = this.#head; i < this.#tail && (this.#seqs[i] as number) <= seq; i++) {
      ends.set(this.#spools[i] as number, this.#ends[i] as number);
    }
    return ends;
  }

  /** Removes the entries with a seq up to `seq`; returns, per spool, where its last one ends. */
  take(seq: number): Map<number, SpoolPosition> {
    const ends = this.lastEnds(seq);
    while (this.#head < this.#tail && (this.#seqs[this.#head] as number) <= seq) this.#head++;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return ends;
  }

  /** Whether any entry of `spool` is still held. */
  holds(spool: number): boolean {
    for (let i = this.#head; i < this.#tail; i++) if (this.#spools[i] === spool) return true;
    return false;
  }

  #makeRoom(): void {
    const live = this.length;
    // Compact in place when at least half is already taken; grow otherwise.
    const capacity = this.#head >= this.#seqs.length / 2 ? this.#seqs.length : this.#seqs.length * 2;
    const seqs = new Float64Array(capacity);
    const ends = new Float64Array(capacity);
    const spools = new Uint32Array(capacity);
    seqs.set(this.#seqs.subarray(this.#head, this.#tail));
    ends.set(this.#ends.subarray(this.#head, this.#tail));
    spools.set(this.#spools.subarray(this.#head, this.#tail));
    this.#seqs = seqs;
    this.#ends = ends;
    this.#spools = spools;
    this.#head = 0;
    this.#tail = live;
  }
}
