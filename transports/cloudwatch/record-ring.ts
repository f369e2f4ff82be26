// Where the CloudWatch queue keeps its lines: UTF-8 bytes in one Buffer, outside the V8 heap.
// Held as strings, each queued line lived long enough to be promoted to the worker's old
// generation, and V8 let that generation grow to several times the live queue before
// collecting it (docs/benchmarks.md#the-cloudwatch-queue-outside-the-v8-heap).
// Here a queued line costs its bytes plus 24 bytes of typed-array bookkeeping (less than the
// 26 bytes per event the queue counts against its cap), and the strings the worker makes
// per line die young. Pure: no I/O.

const INITIAL_BYTES = 64 * 1024;
const INITIAL_RECORDS = 1024;
/** Above this, an emptied ring gives its memory back: a drained outage should not keep its peak. */
const SHRINK_ABOVE_BYTES = 4 * 1024 * 1024;

/** A FIFO of UTF-8 messages with two times each, stored in a circular Buffer that grows as needed. */
export class RecordRing {
  #data = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** Where the next message's bytes go. */
  #writeAt = 0;
  /** True while the newest messages sit at the start of #data, before the oldest ones. */
  #wrapped = false;
  /** Number (in push order) of the first message written at the start after wrapping. */
  #wrapNumber = 0;
  #bytes = 0;
  // Per message, in a circular index of their own: where its bytes are, how many, and its times.
  #offsets = new Uint32Array(INITIAL_RECORDS);
  #lengths = new Uint32Array(INITIAL_RECORDS);
  #timestamps = new Float64Array(INITIAL_RECORDS);
  #queuedAts = new Float64Array(INITIAL_RECORDS);
  #first = 0;
  #count = 0;
  /** Push-order number of the oldest message. */
  #headNumber = 0;

  get length(): number {
    return this.#count;
  }

  /** Message bytes held (without any per-event overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes of memory the ring holds, used or not. */
  get capacityBytes(): number {
    const indexBytesPerRecord =
      this.#offsets.BYTES_PER_ELEMENT +
      this.#lengths.BYTES_PER_ELEMENT +
      this.#timestamps.BYTES_PER_ELEMENT +
      this.#queuedAts.BYTES_PER_ELEMENT;
    return this.#data.length + this.#offsets.length * indexBytesPerRecord;
  }

  /** Appends `message`, whose UTF-8 length the caller has counted as `messageBytes`. */
  push(message: string, messageBytes: number, timestamp: number, queuedAt: number): void {
    if (this.#count === this.#offsets.length) this.#growIndex();
    let at = this.#placeFor(messageBytes);
    if (at === undefined) {
      this.#relocate(messageBytes);
      at = this.#writeAt;
    }
    // No length argument: Buffer.write's four-argument form costs more per call than the line's
    // bytes, and the room at `at` is the message's counted bytes, which is all it writes.
    const written = messageBytes === 0 ? 0 : this.#data.write(message, at, 'utf8');
    if (written !== messageBytes) throw new RangeError(`message counted as ${messageBytes} bytes took ${written}`);
    this.#writeAt = at + messageBytes;
    const slot = this.#slot(this.#count);
    this.#offsets[slot] = at;
    this.#lengths[slot] = messageBytes;
    this.#timestamps[slot] = timestamp;
    this.#queuedAts[slot] = queuedAt;
    this.#count++;
    this.#bytes += messageBytes;
  }

  /** The oldest message's UTF-8 length; undefined when empty. */
  get headBytes(): number | undefined {
    return this.#count === 0 ? undefined : this.#lengths[this.#first];
  }

  get headTimestamp(): number | undefined {
    return this.#count === 0 ? undefined : this.#timestamps[this.#first];
  }

  get headQueuedAt(): number | undefined {
    return this.#count === 0 ? undefined : this.#queuedAts[this.#first];
  }

  /** When the newest message was pushed; undefined when empty. */
  get tailQueuedAt(): number | undefined {
    return this.#count === 0 ? undefined : this.#queuedAts[this.#slot(this.#count - 1)];
  }

  /** Removes the oldest message and returns it as a string. */
  shift(): string {
    if (this.#count === 0) throw new RangeError('shift from an empty ring');
    const at = this.#offsets[this.#first] as number;
    const message = this.#data.toString('utf8', at, at + (this.#lengths[this.#first] as number));
    this.drop();
    return message;
  }

  /** Where the oldest message's bytes start in `data`; undefined when empty. */
  get headOffset(): number | undefined {
    return this.#count === 0 ? undefined : this.#offsets[this.#first];
  }

  /** The Buffer the messages are in, to read the oldest in place (valid until the next push or drop). */
  get data(): Buffer {
    return this.#data;
  }

  /** Removes the oldest message without reading it. */
  drop(): void {
    if (this.#count === 0) return;
    this.#bytes -= this.#lengths[this.#first] as number;
    this.#first = this.#slot(1);
    this.#count--;
    this.#headNumber++;
    if (this.#count === 0) this.clear();
    else if (this.#wrapped && this.#headNumber >= this.#wrapNumber) this.#wrapped = false;
  }

  clear(): void {
    this.#first = 0;
    this.#count = 0;
    this.#bytes = 0;
    this.#writeAt = 0;
    this.#wrapped = false;
    if (this.#data.length > SHRINK_ABOVE_BYTES) this.#data = Buffer.allocUnsafeSlow(INITIAL_BYTES);
    if (this.#offsets.length > INITIAL_RECORDS * 64) this.#allocateIndex(INITIAL_RECORDS);
  }

  #slot(index: number): number {
    return (this.#first + index) % this.#offsets.length;
  }

  /** Where `bytes` fit without overwriting a held message, or undefined. */
  #placeFor(bytes: number): number | undefined {
    if (this.#count === 0) return bytes <= this.#data.length ? 0 : undefined;
    if (bytes === 0) return this.#writeAt;
    const readAt = this.#offsets[this.#first] as number;
    if (this.#wrapped) return this.#writeAt + bytes <= readAt ? this.#writeAt : undefined;
    if (this.#writeAt + bytes <= this.#data.length) return this.#writeAt;
    if (bytes > readAt) return undefined;
    // A message never straddles the end: the few bytes left there stay unused this lap.
    this.#wrapped = true;
    this.#wrapNumber = this.#headNumber + this.#count;
    return 0;
  }

  /** Copies the held messages, oldest first, to the start of a Buffer with room for `bytes` more. */
  #relocate(bytes: number): void {
    const needed = this.#bytes + bytes;
    // Compacting alone when the space exists but is split; otherwise a quarter to spare, so a
    // full queue is not copied again on the next push (and its Buffer stays near what it holds).
    const capacity = this.#data.length >= needed * 1.125 ? this.#data.length : Math.max(INITIAL_BYTES, Math.ceil(needed * 1.25));
    const data = Buffer.allocUnsafeSlow(capacity);
    let writeAt = 0;
    // Messages lie back to back in runs (at most one per lap of the ring): one copy a run, not a message.
    for (let i = 0; i < this.#count; ) {
      const runStart = this.#offsets[this.#slot(i)] as number;
      let runEnd = runStart;
      let j = i;
      for (; j < this.#count && this.#offsets[this.#slot(j)] === runEnd; j++) runEnd += this.#lengths[this.#slot(j)] as number;
      this.#data.copy(data, writeAt, runStart, runEnd);
      for (let k = i; k < j; k++) {
        const slot = this.#slot(k);
        this.#offsets[slot] = (this.#offsets[slot] as number) - runStart + writeAt;
      }
      writeAt += runEnd - runStart;
      i = j;
    }
    this.#data = data;
    this.#writeAt = writeAt;
    this.#wrapped = false;
  }

  #growIndex(): void {
    const old = [this.#offsets, this.#lengths, this.#timestamps, this.#queuedAts] as const;
    const first = this.#first;
    // Called when full: the oldest records run from `first` to the end, then wrap to the start.
    const tail = old[0].length - first;
    this.#allocateIndex(old[0].length * 2);
    const grown = [this.#offsets, this.#lengths, this.#timestamps, this.#queuedAts] as const;
    for (let column = 0; column < old.length; column++) {
      const from = old[column] as Uint32Array | Float64Array;
      const to = grown[column] as Uint32Array | Float64Array;
      to.set(from.subarray(first, first + Math.min(tail, this.#count)), 0);
      if (this.#count > tail) to.set(from.subarray(0, this.#count - tail), tail);
    }
  }

  #allocateIndex(records: number): void {
    this.#offsets = new Uint32Array(records);
    this.#lengths = new Uint32Array(records);
    this.#timestamps = new Float64Array(records);
    this.#queuedAts = new Float64Array(records);
    this.#first = 0;
  }
}
