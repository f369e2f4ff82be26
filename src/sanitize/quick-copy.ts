import { isSecretPair, type KeyMatcher, plainKeySlot } from '../redact/secret-keys.js';

// The sanitizer's fast pass (src/sanitize/sanitizer.ts): most log calls pass a small tree of plain objects,
// arrays, numbers and short strings with nothing to censor. Such a tree is copied with spread
// (which reads each getter once and makes plain data of it; V8 clones literal-shaped objects
// fast) and the copy is checked, so what pino gets is exactly what was checked. At the first
// thing that needs work (a secret key, a string that may hold a URL secret, a non-plain object,
// a toJSON, a symbol, a repeated object, a budget run out) the pass stops, and the full walk
// takes over from the copies made so far: no getter is read twice.

/** Values (members and items) a fast pass looks at before it leaves the tree to the full walk. */
const MAX_VALUES = 64;
/** Levels of nesting below the logged object the fast pass goes. */
const MAX_DEPTH = 4;

/** What a fast pass left when it stopped: the copies it made, by the object each copies. */
export type QuickCopies = Map<object, object>;

/** The fast pass over a fields object; see the module comment. */
export interface QuickCopier {
  /**
   * A checked copy of `fields`, or undefined when the tree needs the full walk. Then
   * `takeCopies()` gives the copies made so far (the walk reads those instead of the originals).
   */
  copy(fields: object): Record<string, unknown> | undefined;
  /** The copies the last failed `copy` made, once; undefined when it made none. */
  takeCopies(): QuickCopies | undefined;
}

/** What the fast pass leaves to the full walk. */
export interface QuickCopyRules {
  isSecretKey: KeyMatcher;
  /** Whether a string needs no work (not too long, no URL secret in it). */
  isCleanString: (text: string) => boolean;
  /**
   * A string `isCleanString` rejects, censored as the walk censors it; undefined when only the
   * walk can (a string it would cut).
   */
  censorString: (text: string) => string | undefined;
  /** Strings shorter than this are clean (and never too long): not even looked at. */
  minScanChars: number;
  /** Characters of strings, over all, past which the walk's text budget decides. */
  maxTextChars: number;
}

/**
 * A fast pass that leaves to the full walk every key `isSecretKey` names, every string
 * `isCleanString` rejects, and, over all, more than `maxTextChars` characters of strings.
 */
export function createQuickCopier({ isSecretKey, isCleanString, censorString, minScanChars, maxTextChars }: QuickCopyRules): QuickCopier {
  const plainKeys = isSecretKey.plainKeys ?? [];
  // The nested originals copied in this pass and their copies, in pairs (the first `count`
  // entries): a second meeting of an original (a cycle, a shared object) is the full walk's, and
  // a failed pass hands them over. Emptied after each pass, so no app object is held.
  const made: Array<object | undefined> = [];
  let count = 0;
  let topOriginal: object | undefined;
  let values = 0;
  let text = 0;
  let busy = false;
  let left: QuickCopies | undefined;

  const isMade = (item: object): boolean => {
    if (item === topOriginal) return true;
    for (let i = 0; i < count; i += 2) if (made[i] === item) return true;
    return false;
  };

  const remember = (item: object, copy: object): void => {
    made[count++] = item;
    made[count++] = copy;
  };

  // A nested object or array: copied into `holder[key]`, then checked.
  const nested = (holder: Record<string, unknown> | unknown[], key: string | number, item: object, depth: number): boolean => {
    if (depth >= MAX_DEPTH || isMade(item)) return false;
    try {
      const prototype = Object.getPrototypeOf(item);
      if (prototype === Object.prototype || prototype === null) {
        const copy: Record<string, unknown> = { ...item };
        remember(item, copy);
        (holder as Record<string, unknown>)[key] = copy;
        // pino's JSON.stringify would call a toJSON, own or inherited (a polluted Object.prototype).
        return copy.toJSON === undefined && checkMembers(copy, depth + 1);
      }
      if (prototype === Array.prototype && Array.isArray(item)) {
        // Index by index, not slice or spread: neither a species constructor nor an iterator of
        // the array's own runs, and a length past the budget is not copied at all.
        const list = item as unknown[];
        const length = list.length;
        if (length > values) return false;
        const copy: unknown[] = new Array(length);
        for (let i = 0; i < length; i++) copy[i] = list[i];
        remember(item, copy);
        (holder as unknown[])[key as number] = copy;
        return (copy as { toJSON?: unknown }).toJSON === undefined && checkItems(copy, depth + 1);
      }
      return false;
    } catch {
      return false; // a getter or trap that throws: the full walk marks it
    }
  };

  // The two loops below check primitives in line: a call per member costs more than the check.
  const checkMembers = (copy: Record<string, unknown>, depth: number): boolean => {
    for (const key in copy) {
      const item = copy[key];
      text -= key.length;
      if (text < 0) return false;
      if (item !== undefined && isSecretKey(key)) return false;
      // Members the walk treats by name: toJSON is called, raw header lists and blocks censored.
      if (key === 'toJSON' || key === 'rawHeaders' || key === '_header' || --values < 0) return false;
      if (typeof item === 'string') {
        text -= item.length;
        if (text < 0 || !isCleanString(item)) return false;
      } else if (typeof item === 'object') {
        if (item !== null && !nested(copy, key, item, depth)) return false;
      } else if (typeof item === 'symbol' || typeof item === 'function') return false; // see `copy`
    }
    return true;
  };

  const checkItems = (copy: unknown[], depth: number): boolean => {
    // A [name, value] pair whose name is a secret key is censored by the walk.
    if (isSecretPair(copy, isSecretKey)) return false;
    for (let i = 0; i < copy.length; i++) {
      const item = copy[i];
      if (--values < 0) return false;
      if (typeof item === 'string') {
        text -= item.length;
        if (text < 0 || !isCleanString(item)) return false;
      } else if (typeof item === 'object') {
        if (item !== null && !nested(copy, i, item, depth)) return false;
      } else if (typeof item === 'symbol') return false;
    }
    return true;
  };

  // Past the first level: the careful part of the pass, with its record of what was copied.
  const copyNested = (fields: object, top: Record<string, unknown>): Record<string, unknown> | undefined => {
    // A getter that logs while it is read: that call takes the full walk on its own.
    if (busy) return giveUp(fields, top);
    busy = true;
    try {
      topOriginal = fields;
      values = MAX_VALUES;
      text = maxTextChars;
      return checkMembers(top, 0) ? top : giveUp(fields, top);
    } finally {
      topOriginal = undefined;
      for (let i = 0; i < count; i++) made[i] = undefined;
      count = 0;
      busy = false;
    }
  };

  const giveUp = (fields: object, top: Record<string, unknown>): undefined => {
    left = new Map([[fields, top]]);
    for (let i = 0; i < count; i += 2) left.set(made[i] as object, made[i + 1] as object);
    return undefined;
  };

  // The first level in line, as the common line is flat: a call per member costs more than its check.
  const copy = (fields: object): Record<string, unknown> | undefined => {
    let top: Record<string, unknown>;
    try {
      const prototype = Object.getPrototypeOf(fields);
      if (prototype !== Object.prototype && prototype !== null) {
        left = undefined;
        return undefined;
      }
      top = { ...fields };
    } catch {
      left = undefined;
      return undefined; // the logged object's own getter or trap threw: the full walk marks it
    }
    let textLeft = maxTextChars;
    let valuesLeft = MAX_VALUES;
    // Strings censored here, as [key, text] pairs, put in the copy only once the pass has passed:
    // a line handed to the walk must reach it as it was logged, or its budget counts other text.
    let censoredPairs: string[] | undefined;
    for (const key in top) {
      const item = top[key];
      // Keys count against the text budget, as in the walk.
      textLeft -= key.length;
      if (typeof item === 'string') {
        textLeft -= item.length;
        if (textLeft < 0) return giveUp(fields, top);
        // A URL with a query (a request's completion line) is censored here, not by the full walk of the line.
        if (item.length >= minScanChars && !isCleanString(item)) {
          const censored = censorString(item);
          if (censored === undefined) return giveUp(fields, top);
          if (censored !== item) {
            censoredPairs ??= [];
            censoredPairs.push(key, censored);
          }
        }
      } else if (typeof item === 'object') {
        if (item !== null) return copyNested(fields, top);
      } else if (typeof item === 'symbol' || typeof item === 'function') {
        // A function is the walk's to drop: pino would call a request-like object's id() or a
        // response-like one's getHeaders() on the copy, and log what it returns unchecked.
        return giveUp(fields, top);
      }
      if (key === 'toJSON' || key === '_header' || --valuesLeft < 0) return giveUp(fields, top);
      // The matcher's own first check, without the call: a key it knows to be plain.
      if (item !== undefined && plainKeys[plainKeySlot(key)] !== key && isSecretKey(key)) return giveUp(fields, top);
    }
    if (textLeft < 0) return giveUp(fields, top);
    if (censoredPairs !== undefined)
      for (let i = 0; i < censoredPairs.length; i += 2) top[censoredPairs[i] as string] = censoredPairs[i + 1];
    return top;
  };

  const takeCopies = (): QuickCopies | undefined => {
    const copies = left;
    left = undefined;
    return copies;
  };

  return { copy, takeCopies };
}
