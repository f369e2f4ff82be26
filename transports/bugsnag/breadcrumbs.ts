import { levelName, readLinePrefix } from '../../src/wire.js';

// The last N lower-level lines of the process, kept raw and parsed only when an event
// needs them: most lines never become a breadcrumb anyone reads. Pure: no I/O.

export interface BreadcrumbSpec {
  message: string;
  metadata: Record<string, unknown>;
  timestamp: Date;
}

const LINE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

export class BreadcrumbRing {
  readonly #capacity: number;
  readonly #lines: string[] = [];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(line: string): void {
    if (this.#capacity === 0) return;
    if (this.#lines.length < this.#capacity) this.#lines.push(line);
    else this.#lines[this.#next] = line;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Oldest first, as Bugsnag shows them. */
  snapshot(): BreadcrumbSpec[] {
    const ordered =
      this.#lines.length < this.#capacity ? this.#lines : [...this.#lines.slice(this.#next), ...this.#lines.slice(0, this.#next)];
    return ordered.map(toBreadcrumb);
  }
}

function toBreadcrumb(line: string): BreadcrumbSpec {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const metadata: Record<string, unknown> = { level: levelName(Number(parsed.level)) };
    for (const [key, value] of Object.entries(parsed)) if (!LINE_FIELDS.has(key)) metadata[key] = value;
    const message = typeof parsed.msg === 'string' && parsed.msg !== '' ? parsed.msg : `(${metadata.level} line without a message)`;
    return { message, metadata, timestamp: new Date(typeof parsed.time === 'number' ? parsed.time : Date.now()) };
  } catch {
    return { message: line.slice(0, 200), metadata: {}, timestamp: new Date(readLinePrefix(line)?.time ?? Date.now()) };
  }
}
