import { isBigIntObject, isBooleanObject, isNumberObject, isStringObject } from 'node:util/types';
import { isErrorLike } from '../wire/serialized-error.js';

// The small pieces of the sanitizer's walk (src/sanitize/sanitizer.ts) that need none of its state:
// reading hostile objects safely, Map/Set/typed-array shapes, and the cut report's path.

/** Typed arrays larger than this are summarized instead of listed number by number. */
const MAX_LISTED_VIEW_BYTES = 1024;

/** One walk's memo, position and what is left of its budget. */
export interface WalkState {
  memo: Map<object, unknown>;
  /** The copies a fast pass made before it left the value to the walk (src/sanitize/quick-copy.ts). */
  copies: Map<object, object> | undefined;
  /** Keys from the logged object down to the value being walked, for the cut report. */
  path: Array<string | number>;
  values: number;
  text: number;
  cut: { limit: 'values' | 'depth' | 'text'; at: string } | undefined;
}

/**
 * The first entries of a Map or Set, as many as the budget has left, and a marker item for the
 * rest: a collection of millions is never copied whole.
 */
export function take(entries: Iterator<unknown>, size: number, s: WalkState): { items: unknown[]; rest: number } {
  const items: unknown[] = [];
  const room = Math.max(0, s.values);
  for (let next = entries.next(); !next.done && items.length < room; next = entries.next()) items.push(next.value);
  return { items, rest: size - items.length };
}

/** `items` with a marker saying how many entries were left out, when any were. */
export function withRest(items: unknown[], rest: number): unknown[] {
  if (rest > 0) items.push(`[Cut by logferry: ${rest} more entries]`);
  return items;
}

/** The mark of a value that contains itself: a cause chain that loops is said as such. */
export function circular(value: object): string {
  try {
    return isErrorLike(value) ? '[Circular cause]' : '[Circular]';
  } catch {
    return '[Circular]';
  }
}

/** A typed array as JSON would show it, or its size when it is too large to list. */
export function viewData(view: ArrayBufferView, s: WalkState): unknown {
  const kind = Buffer.isBuffer(view) ? 'Buffer' : (Object.getPrototypeOf(view)?.constructor?.name ?? 'ArrayBufferView');
  if (view.byteLength > MAX_LISTED_VIEW_BYTES || view instanceof DataView) return `[${kind} of ${view.byteLength} bytes]`;
  const items = Array.from(view as unknown as ArrayLike<number | bigint>, (n) => (typeof n === 'bigint' ? n.toString() : n));
  s.values -= items.length;
  return kind === 'Buffer' ? { type: 'Buffer', data: items } : items;
}

/** `['a', 'b', 3]` as `a.b[3]`. */
export function formatPath(path: Array<string | number>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}

/** The first `chars` UTF-16 units of `text`, never ending on half a surrogate pair. */
export function cutChars(text: string, chars: number): string {
  const end = chars > 0 && chars < text.length && /[\ud800-\udbff]/.test(text[chars - 1] ?? '') ? chars - 1 : chars;
  return text.slice(0, end);
}

/** Whether `value` is a plain object (or has no prototype); never throws. */
export function hasPlainPrototype(value: object): boolean {
  try {
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
  } catch {
    return false; // a Proxy whose trap throws: take the careful path
  }
}

/** The own enumerable keys, or none when a trap throws. */
export function safeKeys(value: object): string[] {
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

/** The value's toJSON method, if it has one that can be read. */
export function readToJSON(value: object): (() => unknown) | undefined {
  try {
    const candidate = (value as { toJSON?: unknown }).toJSON;
    return typeof candidate === 'function' ? (candidate as () => unknown) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A boxed primitive (`new String(…)`) as the primitive JSON makes of it, or undefined for any
 * other object: walked as an object, a String would come out character by character.
 */
export function unboxed(value: object): string | number | boolean | undefined {
  if (isStringObject(value)) return String.prototype.valueOf.call(value);
  if (isNumberObject(value)) return Number.prototype.valueOf.call(value);
  if (isBooleanObject(value)) return Boolean.prototype.valueOf.call(value);
  if (isBigIntObject(value)) return BigInt.prototype.toString.call(value);
  return undefined;
}
