import { BreadcrumbRing, type BreadcrumbSpec, toBreadcrumb } from './breadcrumbs.js';

// Breadcrumbs per request, as @bugsnag/plugin-express keeps them (a client per request): a line
// logged inside a request (it carries `requestId`, from request logging's context or Lambda's)
// is a breadcrumb of that request's events only; a line logged outside any request is one of
// every event. So request A's lines, with A's user and data, never ride on request B's event.
// Pure: no I/O.

/** Requests whose breadcrumbs are kept at once; past it the one that started longest ago goes. */
export const MAX_REQUEST_RINGS = 512;

const ID_KEY = '"requestId":"';

export class RequestBreadcrumbs {
  readonly #capacity: number;
  readonly #shared: BreadcrumbRing;
  readonly #requests = new Map<string, BreadcrumbRing>();
  #order = 0;
  #chunkNumber: number | undefined;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#shared = new BreadcrumbRing(capacity);
  }

  /** Keeps `line` as a breadcrumb of its request, or of every event when it has none; returns the request id. */
  add(line: string, chunkNumber?: number): string | undefined {
    if (this.#capacity === 0) return undefined;
    if (chunkNumber !== this.#chunkNumber) {
      // A new chunk: no ring may keep the last one alive, however long its request stays quiet.
      this.#chunkNumber = chunkNumber;
      for (const ring of this.#requests.values()) ring.ownBorrowed();
    }
    const requestId = requestIdOfLine(line);
    this.#ringOf(requestId).add(line, chunkNumber, this.#order++);
    return requestId;
  }

  /** The breadcrumbs of an event logged in request `requestId` (or outside any): oldest first. */
  snapshot(requestId: string | undefined): BreadcrumbSpec[] {
    const own = requestId === undefined ? undefined : this.#requests.get(requestId);
    if (own === undefined) return this.#shared.snapshot();
    const merged = [...this.#shared.held(), ...own.held()].sort((a, b) => a[0] - b[0]);
    return merged.slice(-this.#capacity).map(([, line]) => toBreadcrumb(line));
  }

  /** The request has ended (its completion line came): its breadcrumbs are let go. */
  end(requestId: string | undefined): void {
    if (requestId !== undefined) this.#requests.delete(requestId);
  }

  /** Requests whose breadcrumbs are held now. */
  get requestsHeld(): number {
    return this.#requests.size;
  }

  #ringOf(requestId: string | undefined): BreadcrumbRing {
    if (requestId === undefined) return this.#shared;
    let ring = this.#requests.get(requestId);
    if (ring === undefined) {
      if (this.#requests.size >= MAX_REQUEST_RINGS) {
        const oldest = this.#requests.keys().next();
        if (!oldest.done) this.#requests.delete(oldest.value);
      }
      ring = new BreadcrumbRing(this.#capacity);
      this.#requests.set(requestId, ring);
    }
    return ring;
  }
}

/**
 * The `requestId` a line was logged with, read without parsing it: context fields come before
 * the line's own, so the first occurrence is the context's. Undefined when there is none.
 */
export function requestIdOfLine(line: string): string | undefined {
  const at = line.indexOf(ID_KEY);
  if (at < 0) return undefined;
  const from = at + ID_KEY.length;
  let end = line.indexOf('"', from);
  while (end > 0 && line.charCodeAt(end - 1) === 92 /* backslash */) end = line.indexOf('"', end + 1);
  if (end < 0) return undefined;
  const raw = line.slice(from, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
