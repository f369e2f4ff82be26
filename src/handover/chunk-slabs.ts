// Where the app's thread encodes the chunks it hands to thread-stream while a backlog builds up.
// thread-stream makes a Buffer of every write and keeps it until the worker's shared buffer has
// room. A loop that logs without yielding fills the backlog up to its cap, waits for the worker
// (flushSync), and fills it again: each round leaves the cap's worth of Buffers dead, long-lived
// enough to sit in the old generation, freed only by a full collection that comes late when the
// app makes little other garbage. Here the chunks are written into a few large slabs instead,
// and once flushSync has returned (every byte handed over has been copied into the shared
// buffer) the next round writes over the same slabs.

/** Bytes of one slab: a 64 KiB chunk of one-byte text fits about sixteen times. */
const SLAB_BYTES = 1024 * 1024;

/** Large slabs of encoded chunks, reused only after the caller says every view has been copied. */
export class ChunkSlabs {
  readonly #maxBytes: number;
  #slabs: Buffer[] = [];
  /** The slab being written and where in it; slabs before it are full. */
  #current = 0;
  #at = 0;
  #releaseQueued = false;

  /** `maxBytes`: slab memory past which, without a copied() between, the slabs are let go and new ones made. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * `chunk`'s UTF-8 bytes in a slab, as a view that stays valid until copied() is called; a
   * chunk larger than a slab is returned as it is (thread-stream encodes it).
   */
  encode(chunk: string): Buffer | string {
    const bytes = Buffer.byteLength(chunk);
    if (bytes > SLAB_BYTES) return chunk;
    if (this.#current < this.#slabs.length && this.#at + bytes > SLAB_BYTES) {
      this.#current++;
      this.#at = 0;
    }
    if (this.#current >= this.#slabs.length) {
      // Views handed over since the last copied() may still be unread: past the bound the old
      // slabs are let go, never written over.
      if (this.#slabs.length * SLAB_BYTES >= this.#maxBytes) this.#slabs = [];
      this.#current = this.#slabs.length;
      this.#slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
      this.#at = 0;
    }
    const slab = this.#slabs[this.#current] as Buffer;
    const at = this.#at;
    slab.write(chunk, at);
    this.#at = at + bytes;
    this.#releaseAfterThisTurn();
    return slab.subarray(at, at + bytes);
  }

  /** Every view encode() returned has been copied out (thread-stream's flushSync returned): the slabs are written again from the first. */
  copied(): void {
    this.#current = 0;
    this.#at = 0;
  }

  /** Bytes of slab memory held. */
  get heldBytes(): number {
    return this.#slabs.length * SLAB_BYTES;
  }

  // Once the app's loop turns, the burst is over: the slabs are let go (thread-stream still holds
  // the views it has not copied), so a burst's memory does not stay for the life of the process.
  #releaseAfterThisTurn(): void {
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    setImmediate(() => {
      this.#releaseQueued = false;
      this.#slabs = [];
      this.#current = 0;
      this.#at = 0;
    }).unref();
  }
}
