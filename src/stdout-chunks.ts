import { writeSync } from 'node:fs';

// The lines src/app-thread-stdout.ts holds for stdout, in the order they were logged, and the
// writes that take them out. Lines are joined into chunks of CHUNK_CHARS: a log call costs a
// string append, a write takes a chunk, and a backlog is held as a few large strings. A chunk
// the pipe took only part of keeps the rest as bytes, and the lines whose newline was written
// count as delivered. Flush marks sit between chunks and are answered once what came before
// them is written (or counted as dropped).

/** Characters joined before a chunk is closed: one write each. */
const CHUNK_CHARS = 64 * 1024;
/** Bytes encoded per write without allocating; a chunk whose UTF-8 could exceed it is encoded on its own. */
const SCRATCH_BYTES = 256 * 1024;
/** Longest sleep between two tries while a write waits (at exit) for a full pipe. */
const WAIT_SLICE_MAX_MS = 20;

/** Lines held for stdout: as text until a write took part of them, then the bytes still to write. */
export interface HeldChunk {
  text: string | Buffer;
  lines: number;
}

/** A flush waiting for what was held before it: a flush id to answer in shared memory, or pino's flush callback. */
export type FlushMark = { flushId: number } | { callback: (error?: Error) => void };

/** What the owner is told as lines go out. */
export interface ChunkEvents {
  delivered(lines: number): void;
  /** A write failed for another reason than a full pipe: the chunk is given up. */
  failed(chunk: HeldChunk, error: NodeJS.ErrnoException): void;
  answered(flushId: number): void;
}

/** What a write came to: all held lines written, some, or none (the pipe was full). */
export type WriteOutcome = 'written' | 'partial' | 'refused';

/** How long a write may wait for a full pipe: `idleMs` without progress (0: not at all), and never past `until`. */
export interface WaitBound {
  idleMs: number;
  until?: number;
}

export class StdoutChunks {
  /** Characters (or bytes, once partly written) held. */
  heldChars = 0;
  /** Set while stdout's reader lags: closed chunks will wait, so they are made flat (see #closeCurrent). */
  flattenOnClose = false;
  readonly #fd: number;
  readonly #events: ChunkEvents;
  readonly #closed: HeldChunk[] = [];
  #current = '';
  #currentLines = 0;
  /** Chunks closed, and chunks written or given up, since start: a mark waits for the count at its time. */
  #closedCount = 0;
  #doneCount = 0;
  readonly #marks: Array<{ mark: FlushMark; after: number }> = [];
  #scratch: Buffer | undefined;
  readonly #sleepCell = new Int32Array(new SharedArrayBuffer(4));

  constructor(fd: number, events: ChunkEvents) {
    this.#fd = fd;
    this.#events = events;
  }

  get empty(): boolean {
    return this.heldChars === 0;
  }

  append(line: string): void {
    this.#current += line;
    this.#currentLines++;
    this.heldChars += line.length;
    if (this.#current.length >= CHUNK_CHARS) this.#closeCurrent();
  }

  /** Answers `mark` once everything appended before it is written or given up. */
  mark(mark: FlushMark): void {
    this.#closeCurrent();
    if (this.#doneCount === this.#closedCount) this.#answer(mark);
    else this.#marks.push({ mark, after: this.#closedCount });
  }

  /**
   * Writes what is held, oldest first, until all is `written` or the pipe stays full past `bound`:
   * `partial` when it took some first, `refused` when it took nothing.
   */
  write(bound: WaitBound): WriteOutcome {
    this.#closeCurrent();
    let progressAt = 0;
    let sliceMs = 1;
    for (;;) {
      const chunk = this.#closed[0];
      if (chunk === undefined) return 'written';
      const bytes = this.#bytesOf(chunk);
      let written: number;
      try {
        written = writeSync(this.#fd, bytes);
      } catch (error) {
        const failure = error as NodeJS.ErrnoException;
        if (failure.code !== 'EAGAIN' && failure.code !== 'EWOULDBLOCK') {
          this.#finish(chunk);
          this.#events.failed(chunk, failure);
          continue;
        }
        const refused = progressAt === 0 ? 'refused' : 'partial';
        if (bound.idleMs === 0) return refused;
        const now = Date.now();
        progressAt ||= now;
        const giveUpAt = Math.min(progressAt + bound.idleMs, bound.until ?? Number.POSITIVE_INFINITY);
        if (now >= giveUpAt) return refused;
        // Not a spin: the thread sleeps between tries, longer each time the pipe is still full.
        Atomics.wait(this.#sleepCell, 0, 0, Math.min(sliceMs, giveUpAt - now));
        sliceMs = Math.min(sliceMs * 2, WAIT_SLICE_MAX_MS);
        continue;
      }
      progressAt = Date.now();
      sliceMs = 1;
      if (written === bytes.length) {
        this.#finish(chunk);
        this.#events.delivered(chunk.lines);
      } else {
        const lines = countNewlines(bytes, written);
        const heldBefore = chunk.text.length;
        chunk.text = Buffer.from(bytes.subarray(written));
        this.heldChars += chunk.text.length - heldBefore;
        chunk.lines -= lines;
        this.#events.delivered(lines);
      }
    }
  }

  #closeCurrent(): void {
    if (this.#currentLines === 0) return;
    // A chunk of joined lines is a tree of the pieces pino joined, several times the size of its
    // text. One that will wait for a lagging reader is made flat now, so what waits takes what
    // the cap counts; the copy is the one the write makes anyway (reading a character flattens a
    // string). Otherwise the write, later in the turn, does it, not the log call.
    if (this.flattenOnClose) this.#current.charCodeAt(0);
    this.#closed.push({ text: this.#current, lines: this.#currentLines });
    this.#closedCount++;
    this.#current = '';
    this.#currentLines = 0;
  }

  /** A chunk's bytes: its own once it was partly written, else encoded into the scratch buffer when they surely fit. */
  #bytesOf(chunk: HeldChunk): Buffer {
    if (typeof chunk.text !== 'string') return chunk.text;
    if (chunk.text.length * 3 > SCRATCH_BYTES) return Buffer.from(chunk.text);
    this.#scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
    return this.#scratch.subarray(0, this.#scratch.write(chunk.text));
  }

  #finish(chunk: HeldChunk): void {
    this.#closed.shift();
    this.heldChars -= chunk.text.length;
    this.#doneCount++;
    while (this.#marks.length > 0 && (this.#marks[0]?.after ?? 0) <= this.#doneCount) {
      const waiting = this.#marks.shift();
      if (waiting) this.#answer(waiting.mark);
    }
  }

  #answer(mark: FlushMark): void {
    if ('flushId' in mark) this.#events.answered(mark.flushId);
    else process.nextTick(mark.callback);
  }
}

/** Newlines among the first `end` bytes: the lines a partial write delivered whole. */
function countNewlines(bytes: Buffer, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1 && at < end; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}
