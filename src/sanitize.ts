import { type KeyMatcher, REDACTED } from './redact-keys.js';
import { isErrorLike, serializeError, setField, unreadable } from './serialize-error.js';

// Makes a log object safe to serialize and free of secrets, at any depth: secret keys are
// censored, errors anywhere become full serialized errors, and values that would make
// pino throw or silently drop them (throwing getters and toJSON, symbols) become text.
// Copy-on-write: an object with nothing to change is returned as is, so the common case
// allocates nothing.

export type Sanitizer = (value: Record<string, unknown>) => Record<string, unknown>;

/** Deeper than this is left to pino's serializer (which marks cycles) untouched. */
const MAX_DEPTH = 32;

export function createSanitizer(isSecretKey: KeyMatcher): Sanitizer {
  const walk = (value: unknown, seen: Set<object>, depth = 0): unknown => {
    if (typeof value === 'symbol') return value.toString();
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
    if (seen.has(value)) return value;
    // Nearly every logged object is a plain one: it skips the error and Date checks.
    if (!hasPlainPrototype(value)) {
      if (isErrorLike(value)) return serializeError(value, walk, seen);
      if (value instanceof Date || ArrayBuffer.isView(value)) return value;
    }
    seen.add(value);
    const toJSON = readToJSON(value);
    if (toJSON !== undefined) return callToJSON(value, toJSON, seen, depth);
    return Array.isArray(value) ? walkArray(value, seen, depth) : walkObject(value as Record<string, unknown>, seen, depth);
  };

  const walkArray = (array: unknown[], seen: Set<object>, depth: number): unknown[] => {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      const next = walk(item, seen, depth + 1);
      if (next !== item && copy === undefined) copy = array.slice(0, i);
      if (copy !== undefined) copy.push(next);
    }
    return copy ?? array;
  };

  const walkObject = (object: Record<string, unknown>, seen: Set<object>, depth: number): Record<string, unknown> => {
    let keys: string[];
    try {
      keys = Object.keys(object);
    } catch (thrown) {
      return { unreadable: unreadable(thrown) };
    }
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      let item: unknown;
      let next: unknown;
      try {
        item = object[key];
        if (item !== undefined && isSecretKey(key)) next = REDACTED;
        else if (key === 'rawHeaders' && Array.isArray(item)) next = redactRawHeaders(item);
        else next = walk(item, seen, depth + 1);
      } catch (thrown) {
        next = unreadable(thrown);
      }
      if (next !== item && copy === undefined) {
        copy = {};
        for (let j = 0; j < i; j++) setField(copy, keys[j] as string, object[keys[j] as string]);
      }
      if (copy !== undefined) setField(copy, key, next);
    }
    return copy ?? object;
  };

  // Node's IncomingMessage keeps every header twice: in `headers`, censored by key above, and in
  // `rawHeaders`, a flat [name, value, name, value…] list where the name is a value, not a key.
  const redactRawHeaders = (list: unknown[]): unknown[] => {
    let copy: unknown[] | undefined;
    for (let i = 0; i + 1 < list.length; i += 2) {
      const name = list[i];
      if (typeof name === 'string' && isSecretKey(name)) {
        copy ??= [...list];
        copy[i + 1] = REDACTED;
      }
    }
    return copy ?? list;
  };

  const callToJSON = (value: object, toJSON: () => unknown, seen: Set<object>, depth: number): unknown => {
    try {
      return walk(toJSON.call(value), seen, depth + 1);
    } catch (thrown) {
      return `[toJSON threw: ${unreadable(thrown).slice(13, -1)}]`;
    }
  };

  // Most log calls pass a plain object of strings and numbers: that is checked without
  // allocating and returned as is. Anything else (nested objects, symbols, a secret key, a
  // toJSON, a getter that throws, another prototype) takes the full walk.
  const isFlatAndClean = (value: Record<string, unknown>): boolean => {
    if (!hasPlainPrototype(value)) return false;
    try {
      for (const key in value) {
        const item = value[key];
        if ((typeof item === 'object' && item !== null) || typeof item === 'symbol' || key === 'toJSON') return false;
        if (item !== undefined && isSecretKey(key)) return false;
      }
      return true;
    } catch {
      return false;
    }
  };

  // One cycle guard reused across calls: a call re-entered from a getter or toJSON that logs
  // finds it taken and makes its own.
  let spare: Set<object> | undefined = new Set();
  return (value) => {
    if (isFlatAndClean(value)) return value;
    const seen = spare ?? new Set<object>();
    spare = undefined;
    try {
      return walk(value, seen) as Record<string, unknown>;
    } finally {
      seen.clear();
      spare = seen;
    }
  };
}

function hasPlainPrototype(value: object): boolean {
  try {
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
  } catch {
    return false; // a Proxy whose trap throws: take the careful path
  }
}

function readToJSON(value: object): (() => unknown) | undefined {
  try {
    const candidate = (value as { toJSON?: unknown }).toJSON;
    return typeof candidate === 'function' ? (candidate as () => unknown) : undefined;
  } catch {
    return undefined;
  }
}
