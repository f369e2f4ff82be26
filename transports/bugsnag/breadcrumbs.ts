import { readPrefixTime } from '../../src/wire/line-prefix.js';
import { levelName } from '../../src/wire/protocol.js';
import { ownCopy } from '../shared/own-copy.js';

// The last N lower-level lines (of the process, or of one request: request-breadcrumbs.ts), kept raw and parsed only when an event
// needs them: most lines never become a breadcrumb anyone reads. Nor are most lines copied: a
// line cut from the chunk the worker is reading is held as it is (a view into that chunk), and
// only the lines still held when the next chunk starts are copied into strings of their own, so
// the ring never keeps more than the current chunk alive (see own-copy.ts). Pure: no I/O.

export interface BreadcrumbSpec {
  message: string;
  metadata: Record<string, unknown>;
  timestamp: Date;
}

const LINE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

export class BreadcrumbRing {
  readonly #capacity: number;
  readonly #lines: string[] = [];
  /** 1 where the line held is a view into the chunk numbered #chunkNumber. */
  readonly #borrowed: Uint8Array;
  /** The order each held line arrived in, across rings (request-breadcrumbs.ts merges by it). */
  readonly #order: Float64Array;
  #chunkNumber = -1;
  #next = 0;
  #held = false;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#borrowed = new Uint8Array(capacity);
    this.#order = new Float64Array(capacity);
  }

  /** Whether some line is held as a view into a chunk. */
  get holdsViews(): boolean {
    return this.#held;
  }

  /**
   * Keeps `line`. `chunkNumber` (LineSpan's) says which chunk it is a view into: lines from one
   * chunk are held as they are until a line from another comes. Without it the line is copied.
   */
  add(line: string, chunkNumber?: number, order = 0): void {
    if (this.#capacity === 0) return;
    if (chunkNumber !== this.#chunkNumber) {
      this.ownBorrowed();
      this.#chunkNumber = chunkNumber ?? -1;
    }
    if (chunkNumber !== undefined) this.#held = true;
    this.#order[this.#next] = order;
    const held = chunkNumber === undefined ? ownCopy(line) : line;
    if (this.#lines.length < this.#capacity) this.#lines.push(held);
    else this.#lines[this.#next] = held;
    this.#borrowed[this.#next] = chunkNumber === undefined ? 0 : 1;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Copies the lines still held as views into a chunk, which is then let go. */
  ownBorrowed(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#chunkNumber = -1;
    for (let i = 0; i < this.#lines.length; i++) {
      if (this.#borrowed[i] === 0) continue;
      this.#lines[i] = ownCopy(this.#lines[i] as string);
      this.#borrowed[i] = 0;
    }
  }

  /** Oldest first, as Bugsnag shows them. */
  snapshot(): BreadcrumbSpec[] {
    return this.held().map(([, line]) => toBreadcrumb(line));
  }

  /** The lines held, oldest first, each with the order it was added in. */
  held(): Array<[order: number, line: string]> {
    const full = this.#lines.length === this.#capacity;
    const out: Array<[number, string]> = [];
    for (let i = 0; i < this.#lines.length; i++) {
      const at = full ? (this.#next + i) % this.#capacity : i;
      out.push([this.#order[at] as number, this.#lines[at] as string]);
    }
    return out;
  }
}

export function toBreadcrumb(line: string): BreadcrumbSpec {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const metadata: Record<string, unknown> = { level: levelName(Number(parsed.level)) };
    for (const [key, value] of Object.entries(parsed)) if (!LINE_FIELDS.has(key)) metadata[key] = value;
    const message = typeof parsed.msg === 'string' && parsed.msg !== '' ? parsed.msg : `(${metadata.level} line without a message)`;
    return { message, metadata, timestamp: new Date(typeof parsed.time === 'number' ? parsed.time : Date.now()) };
  } catch {
    return { message: line.slice(0, 200), metadata: {}, timestamp: new Date(timeOrNow(readPrefixTime(line))) };
  }
}

function timeOrNow(time: number): number {
  return time >= 0 ? time : Date.now();
}
