import { isAnyArrayBuffer, isMap, isSet } from 'node:util/types';
import { isSecretPair, type KeyMatcher, REDACTED } from '../redact/secret-keys.js';
import { censorUrlSecrets, mayHoldUrlSecret, shortestUrlSecret } from '../redact/text-secrets.js';
import { isErrorLike, keepConvertible, serializeError, setField, unreadable } from '../wire/serialized-error.js';
import { truncationMarker, utf8Bytes } from '../wire/utf8.js';
import { createCleanTextCheck } from './clean-message-memo.js';
import { createQuickCopier, type QuickCopies } from './quick-copy.js';
import {
  circular,
  cutChars,
  formatPath,
  hasPlainPrototype,
  readToJSON,
  safeKeys,
  take,
  unboxed,
  viewData,
  type WalkState,
  withRest,
} from './walk-steps.js';

// The one bounded walk every logged value takes before pino sees it. Out comes plain JSON-ready
// data: secret keys and URL secrets censored at any depth, errors serialized with their causes,
// Map and Set by their entries, throwing getters, traps and toJSON as text, a second reference
// to an object as the same censored copy, a cycle as '[Circular]'. The walk stops at a budget
// of values, text and depth, and the line says where it was cut. The app's objects are only
// read, never changed. A flat object of plain values, the common line, is checked without
// allocating and passed through as it is.

/** The per-call budget of the walk. */
export interface WalkLimits {
  /** Values (object members, array items, Map and Set entries) walked per call. */
  maxValues: number;
  /** Levels of nesting below the logged object. */
  maxDepth: number;
  /** Characters of text (strings and keys) kept per call. */
  maxTextChars: number;
  /** One string longer than this is cut (with a marker saying its size). */
  maxStringChars: number;
}

/** The budget when none is given; the root logger scales the text limits with LOG_MAX_LINE_BYTES. */
export const DEFAULT_WALK_LIMITS: WalkLimits = {
  maxValues: 20_000,
  maxDepth: 32,
  maxTextChars: 8 * 1024 * 1024,
  maxStringChars: 4 * 1024 * 1024,
};

/** Added to a line whose walk hit a limit: which limit, and the path of the first value cut. */
export const CUT_FIELD = 'logferryCut';

/** Makes what a log call passes safe for pino; see the module comment. */
export interface Sanitizer {
  /** A fields object (the first argument, bindings, context): always an object back. */
  (fields: Record<string, unknown>): Record<string, unknown>;
  /** Any value (a format argument, a serializer's result). */
  value(value: unknown): unknown;
  /**
   * A log call's first argument when it is an object: an Error becomes `{ err }`, as pino would
   * make it; the fields of anything else go through `serialize` (the app's serializers) first.
   */
  first(value: object, serialize?: (fields: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown>;
  /** A message: long text cut, URL secrets censored. */
  text(text: string): string;
}

const IN_PROGRESS = Symbol('in progress');
/** How far past a cut a long string is searched for URL secrets that straddle it. */
const CENSOR_MARGIN_CHARS = 4096;
/** One `Name: value` line of a raw HTTP header block. */
const HEADER_LINE = /^([^:\r\n]+):[^\r\n]*/gm;

/** A sanitizer censoring the keys `isSecretKey` names, with the walk bounded by `limits`. */
export function createSanitizer(isSecretKey: KeyMatcher, limits: WalkLimits = DEFAULT_WALK_LIMITS): Sanitizer {
  const maxStringChars = limits.maxStringChars;
  const minUrlSecretChars = shortestUrlSecret(isSecretKey);
  const isCleanText = createCleanTextCheck(minUrlSecretChars, maxStringChars);
  const isCleanField = (text: string): boolean =>
    text.length <= maxStringChars && (text.length < minUrlSecretChars || !mayHoldUrlSecret(text));
  const quick = createQuickCopier({
    isSecretKey,
    isCleanString: isCleanField,
    censorString: (text) => (text.length <= maxStringChars ? censorUrlSecrets(text, isSecretKey) : undefined),
    minScanChars: minUrlSecretChars,
    maxTextChars: limits.maxTextChars,
  });
  const noteCut = (s: WalkState, limit: 'values' | 'depth' | 'text'): void => {
    s.cut ??= { limit, at: formatPath(s.path) };
  };

  // Only what is kept counts against the text budget: a cut string leaves room for the small
  // fields after it.
  const walkString = (text: string, s: WalkState): string => {
    if (text.length > maxStringChars || text.length > s.text) {
      noteCut(s, 'text');
      const keep = Math.max(0, Math.min(maxStringChars, s.text));
      s.text -= keep;
      // Censored before the cut, so a cut inside a URL cannot leave half a secret: only a margin
      // past the cut is searched, never the whole of a huge string.
      const near = censorText(text.slice(0, keep + CENSOR_MARGIN_CHARS));
      return cutChars(near, keep) + truncationMarker(utf8Bytes(text));
    }
    s.text -= text.length;
    return censorText(text);
  };

  const censorText = (text: string): string =>
    text.length >= minUrlSecretChars && mayHoldUrlSecret(text) ? censorUrlSecrets(text, isSecretKey) : text;

  const walk = (value: unknown, s: WalkState, depth: number): unknown => {
    if (typeof value === 'string') return walkString(value, s);
    if (typeof value === 'symbol') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    if (depth > limits.maxDepth) {
      noteCut(s, 'depth');
      return `[Cut by logferry: deeper than ${limits.maxDepth} levels]`;
    }
    // An object the fast pass copied before it gave up: its copy is read, not its getters again.
    const object = s.copies?.get(value) ?? value;
    const known = s.memo.get(object);
    if (known === IN_PROGRESS) return circular(value);
    if (known !== undefined || s.memo.has(object)) return known;
    s.memo.set(object, IN_PROGRESS);
    let result: unknown;
    try {
      result = walkObjectLike(object, s, depth);
    } catch (thrown) {
      result = unreadable(thrown); // a Proxy whose traps throw
    }
    s.memo.set(object, result);
    return result;
  };

  const walkObjectLike = (value: object, s: WalkState, depth: number): unknown => {
    // Nearly every logged object is a plain one: it skips the checks for other kinds.
    if (!hasPlainPrototype(value)) {
      if (Array.isArray(value))
        return isSecretPair(value, isSecretKey) ? [walk(value[0], s, depth + 1), REDACTED] : walkItems(value, s, depth);
      if (isErrorLike(value)) return serializeError(value, errorWalker(s, depth));
      if (ArrayBuffer.isView(value)) return viewData(value, s);
      if (isAnyArrayBuffer(value)) return `[ArrayBuffer of ${value.byteLength} bytes]`;
      const primitive = unboxed(value);
      if (primitive !== undefined) return typeof primitive === 'string' ? walkString(primitive, s) : primitive;
      if (isMap(value)) return walkMap(value, s, depth);
      if (isSet(value)) {
        const { items, rest } = take(Set.prototype.values.call(value), value.size, s);
        return withRest(walkItems(items, s, depth), rest);
      }
    }
    const toJSON = readToJSON(value);
    if (toJSON !== undefined) return callToJSON(value, toJSON, s, depth);
    return walkMembers(value as Record<string, unknown>, Object.keys(value), s, depth);
  };

  const errorWalker = (s: WalkState, depth: number) => ({
    field: (key: string, item: unknown) => {
      s.values--;
      return member(key, item, s, depth);
    },
    value: (item: unknown) => {
      s.values--;
      return walk(item, s, depth + 1);
    },
    text: (text: string) => walkString(text, s),
    hasRoom: () => {
      if (s.values > 0 && s.text > 0) return true;
      noteCut(s, s.values <= 0 ? 'values' : 'text');
      return false;
    },
  });

  // One member of an object: a secret key is censored without its value being walked.
  const member = (key: string, item: unknown, s: WalkState, depth: number): unknown => {
    // A function is dropped, as JSON would drop it: a copied toString or toJSON would run, unsanitized,
    // when pino formats `%s` or serializes the line.
    if (item === undefined || typeof item === 'function') return undefined;
    if (isSecretKey(key)) return REDACTED;
    if (key === 'rawHeaders' && Array.isArray(item)) return walk(redactRawHeaders(item), s, depth + 1);
    if (key === '_header' && typeof item === 'string') return walkString(redactHeaderBlock(item), s);
    return walk(item, s, depth + 1);
  };

  const walkMembers = (object: Record<string, unknown>, keys: string[], s: WalkState, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const level = s.path.push('') - 1;
    for (let i = 0; i < keys.length; i++) {
      if (s.values <= 0 || s.text <= 0) {
        s.path[level] = keys[i] as string;
        out['[logferry]'] = `[Cut by logferry: ${keys.length - i} more keys]`;
        noteCut(s, s.values <= 0 ? 'values' : 'text');
        break;
      }
      const key = keys[i] as string;
      s.values--;
      s.path[level] = key;
      s.text -= key.length;
      let next: unknown;
      try {
        next = member(key, object[key], s, depth);
      } catch (thrown) {
        next = unreadable(thrown);
      }
      // Not even as undefined: an own `toString: undefined` would make String(copy) throw.
      if (next !== undefined) setField(out, key, next);
    }
    s.path.pop();
    keepConvertible(out);
    return out;
  };

  const walkItems = (items: ArrayLike<unknown>, s: WalkState, depth: number): unknown[] => {
    const out: unknown[] = [];
    const level = s.path.push(0) - 1;
    for (let i = 0; i < items.length; i++) {
      if (s.values <= 0 || s.text <= 0) {
        s.path[level] = i;
        out.push(`[Cut by logferry: ${items.length - i} more items]`);
        noteCut(s, s.values <= 0 ? 'values' : 'text');
        break;
      }
      s.values--;
      s.path[level] = i;
      try {
        const item = items[i];
        // A function as JSON shows it in a list: join() (pino's `%s` of a list) would call its toString.
        out.push(typeof item === 'function' ? null : walk(item, s, depth + 1));
      } catch (thrown) {
        out.push(unreadable(thrown));
      }
    }
    s.path.pop();
    return out;
  };

  // A Map with text or number keys reads as an object (and its secret keys are censored); one
  // with object keys as a list of [key, value] pairs.
  const walkMap = (map: Map<unknown, unknown>, s: WalkState, depth: number): unknown => {
    const { items, rest } = take(Map.prototype.entries.call(map), map.size, s);
    const entries = items as Array<[unknown, unknown]>;
    if (entries.every(([key]) => typeof key === 'string' || typeof key === 'number')) {
      const object: Record<string, unknown> = {};
      for (const [key, item] of entries) setField(object, String(key), item);
      const out = walkMembers(object, Object.keys(object), s, depth);
      if (rest > 0) out['[logferry]'] = `[Cut by logferry: ${rest} more entries]`;
      return out;
    }
    return withRest(walkItems(entries, s, depth), rest);
  };

  // Node's IncomingMessage keeps every header twice: in `headers`, censored by key, and in
  // `rawHeaders`, a flat [name, value, name, value…] list where the name is a value, not a key.
  const redactRawHeaders = (list: unknown[]): unknown[] => {
    const copy = [...list];
    for (let i = 0; i + 1 < copy.length; i += 2) {
      const name = copy[i];
      if (typeof name === 'string' && isSecretKey(name)) copy[i + 1] = REDACTED;
    }
    return copy;
  };

  // Node's ClientRequest keeps the request it sent as one string of header lines in `_header`
  // (an HTTP client's error carries it as error.request): secret headers' values are censored.
  const redactHeaderBlock = (block: string): string =>
    block.replace(HEADER_LINE, (line, name: string) => (isSecretKey(name.trim()) ? `${name}: ${REDACTED}` : line));

  const callToJSON = (value: object, toJSON: () => unknown, s: WalkState, depth: number): unknown => {
    let json: unknown;
    try {
      json = toJSON.call(value);
    } catch (thrown) {
      return `[toJSON threw: ${unreadable(thrown).slice(13, -1)}]`;
    }
    // A toJSON that returns its own object (or a wrapper of it) must not loop.
    return json === value ? walkMembers(value as Record<string, unknown>, safeKeys(value), s, depth) : walk(json, s, depth + 1);
  };

  // A memo of its own for each call, never one kept across calls: a long-lived Map would be in
  // the old generation, and every line's objects it pointed to would then survive a scavenge.
  const run = <T>(body: (s: WalkState) => T, copies?: QuickCopies): T => {
    const s: WalkState = { memo: new Map(), copies, path: [], values: limits.maxValues, text: limits.maxTextChars, cut: undefined };
    return body(s);
  };

  const sanitizeFields = (fields: Record<string, unknown>): Record<string, unknown> =>
    quick.copy(fields) ?? walkFields(fields, quick.takeCopies());

  // After the fast pass gave up: the full walk, over the copies the pass made.
  const walkFields = (fields: Record<string, unknown>, copies: QuickCopies | undefined): Record<string, unknown> =>
    run((s) => {
      const walked = walk(fields, s, 0);
      const out =
        typeof walked === 'object' && walked !== null && !Array.isArray(walked) ? (walked as Record<string, unknown>) : { value: walked };
      if (s.cut !== undefined) out[CUT_FIELD] = s.cut;
      return out;
    }, copies);

  const text = (message: string): string => {
    if (isCleanText(message)) return message;
    return run((s) => walkString(message, s));
  };

  const value = (item: unknown): unknown => {
    if (typeof item === 'string') return text(item);
    if (typeof item === 'symbol') return item.toString();
    if (typeof item !== 'object' || item === null) return item;
    return run((s) => walk(item, s, 0));
  };

  const first = (item: object, serialize?: (fields: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> => {
    if (serialize === undefined) {
      const copy = quick.copy(item);
      if (copy !== undefined) return copy;
      // Copies were made of a plain object only, which is no Error.
      const copies = quick.takeCopies();
      if (copies !== undefined || !isError(item)) return walkFields(item as Record<string, unknown>, copies);
      return { err: value(item) };
    }
    if (isError(item)) return { err: value(item) };
    return sanitizeFields(serialize ? serialize(item as Record<string, unknown>) : (item as Record<string, unknown>));
  };

  return Object.assign(sanitizeFields, { value, text, first });
}

// pino serializes an Error given first as { err } and takes its message; a Proxy whose traps
// throw is not one.
function isError(value: object): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}
