import { writeSync } from 'node:fs';

// The lines src/app-stdout/app-thread-stdout.ts holds for stdout, in the order they were logged, and the
// writes that take them out. Lines are joined into chunks of CHUNK_CHARS: a log call costs a
// string append, a write takes a chunk. A closed chunk is encoded into a Buffer at once, as
// thread-stream does with each write: pino builds a line from many pieces, so a chunk of joined
// lines is a tree of them several times the size of its text, and a tree or a large string that
// waits is copied by every young-generation collection; a Buffer is neither. The Buffers are
// kept for reuse once written: Buffer.from() would measure the tree's UTF-8 length before it
// encodes, and allocate, for every chunk. The pipe may take part of a chunk: the lines whose newline was
// written count as delivered, the rest waits. Flush marks sit between chunks and are answered
// once what came before them is written (or counted as dropped).

/** Characters joined before a chunk is closed: one write each. */
const CHUNK_CHARS = 64 * 1024;
/** Size of a reusable Buffer: a chunk of one-byte text fits with room to spare, most others too. */
const POOLED_BYTES = 96 * 1024;
/** Written Buffers kept for reuse: a turn's worth of chunks in a steady stream. */
const POOL_KEEP = 16;
/** Longest sleep between two tries while a write waits (at exit) for a full pipe. */
const WAIT_SLICE_MAX_MS = 20;

/** Lines held for stdout, as the UTF-8 bytes still to write. */
export interface HeldChunk {
  bytes: Buffer;
  lines: number;
  /** The memory it holds until written, as the cap counts it: its pooled Buffer's size, or its bytes. */
  weight: number;
  /** The reusable Buffer the bytes are in, if any. */
  pooled: Buffer | undefined;
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
  /** Characters of the open chunk and the memory of the closed ones: what LOG_MAX_APP_BACKLOG_BYTES bounds. */
  heldChars = 0;
  readonly #pool: Buffer[] = [];
  readonly #fd: number;
  readonly #events: ChunkEvents;
  readonly #closed: HeldChunk[] = [];
  #current = '';
  #currentLines = 0;
  /** Chunks closed, and chunks written or given up, since start: a mark waits for the count at its time. */
  #closedCount = 0;
  #doneCount = 0;
  readonly #marks: Array<{ mark: FlushMark; after: number }> = [];
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
      const bytes = chunk.bytes;
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
        chunk.bytes = bytes.subarray(written);
        chunk.lines -= lines;
        this.#events.delivered(lines);
      }
    }
  }

  #closeCurrent(): void {
    if (this.#currentLines === 0) return;
    const chunk = this.#encode(this.#current, this.#currentLines);
    this.heldChars += chunk.weight - this.#current.length;
    this.#closed.push(chunk);
    this.#closedCount++;
    this.#current = '';
    this.#currentLines = 0;
  }

  #finish(chunk: HeldChunk): void {
    this.#closed.shift();
    this.heldChars -= chunk.weight;
    if (chunk.pooled !== undefined && this.#pool.length < POOL_KEEP) this.#pool.push(chunk.pooled);
    this.#doneCount++;
    while (this.#marks.length > 0 && (this.#marks[0]?.after ?? 0) <= this.#doneCount) {
      const waiting = this.#marks.shift();
      if (waiting) this.#answer(waiting.mark);
    }
  }

  /**
   * `text` as UTF-8: in a reusable Buffer when few chunks wait and it surely fit (a write stops
   * short of the end only when the next character does not fit); in one of its own size when many
   * wait, so a long backlog takes the memory of its bytes, not of pooled Buffers.
   */
  #encode(text: string, lines: number): HeldChunk {
    if (text.length <= POOLED_BYTES && this.#closed.length < POOL_KEEP) {
      const pooled = this.#pool.pop() ?? Buffer.allocUnsafeSlow(POOLED_BYTES);
      const written = pooled.write(text);
      if (written <= POOLED_BYTES - 4) return { bytes: pooled.subarray(0, written), lines, weight: POOLED_BYTES, pooled };
      this.#pool.push(pooled);
    }
    const bytes = Buffer.from(text);
    return { bytes, lines, weight: bytes.length, pooled: undefined };
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
