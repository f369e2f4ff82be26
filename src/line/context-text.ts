import type { ContextFrame } from '../context/log-context.js';
import type { Sanitizer } from '../sanitize/sanitizer.js';
import { flatMembers } from './flat-json-members.js';

// Every line logged inside withLogContext or a tracked request carries the context's fields.
// Censoring them and writing them as text again for each line costs more than the rest of a
// short line (docs/performance.md, "The context as text"), so a context's text is made once,
// kept on its frame, and made again when its members change. Each member is read once a line
// whatever happens, so a getter (request logging's user) runs as often as it did when every
// line merged the context. A context holding an object is censored again for each line (the
// object may have changed in place) and merged into it.

/** What is kept of one context, as of the last line logged in it. */
interface KeptText {
  /** The reader that made it: another root (another sanitizer) makes its own. */
  readonly reader: object;
  /** The context's own enumerable keys and their values when this was made. */
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  /** The context censored, as the sanitizer made it from those values. */
  readonly clean: Readonly<Record<string, unknown>>;
  /** `,"key":value…` of `clean`; undefined when it holds an object (merged into each line). */
  readonly text: string | undefined;
}

/**
 * A line's context for the plain line writer: the text of the context's members to write
 * before the line's own fields, or the whole line, context merged, when the text cannot stand
 * for it (a line field of a context key, a line key that is a number, a context holding objects).
 */
export type ContextText = (frame: ContextFrame, fields: Record<string, unknown>) => string | Record<string, unknown>;

/** A context-text reader for one root, which makes it with its sanitizer. */
export function contextTextReader(sanitize: Sanitizer): ContextText {
  const reader = {};
  return (frame, fields) => {
    const context = frame.fields;
    const previous = frame.kept as KeptText | undefined;
    const kept = previous !== undefined && previous.reader === reader ? previous : undefined;
    const read = readMembers(context, kept);
    let current: KeptText;
    if (read === THREW) return { ...sanitize(context), ...fields };
    if (read === UNCHANGED && kept !== undefined && kept.text !== undefined) current = kept;
    else {
      const members = read === UNCHANGED ? (kept as KeptText) : read;
      current = keptText(reader, members.keys, members.values, sanitize);
      frame.kept = current;
    }
    if (current.text === undefined || !mayFollow(fields, current.keys)) return { ...current.clean, ...fields };
    return current.text;
  };
}

const UNCHANGED = Symbol('unchanged');
const THREW = Symbol('threw');
type Members = { keys: string[]; values: unknown[] };

/**
 * The context's own enumerable members, each read once; UNCHANGED when they are `kept`'s, THREW
 * when a getter or a Proxy trap threw (the sanitizer then marks it, as in any merged line).
 * Arrays are made only from the first member that differs.
 */
function readMembers(context: Readonly<Record<string, unknown>>, kept: KeptText | undefined): Members | typeof UNCHANGED | typeof THREW {
  let i = 0;
  let changed: Members | undefined;
  try {
    for (const key in context) {
      if (!Object.hasOwn(context, key)) continue;
      const value = context[key];
      if (changed === undefined) {
        if (kept !== undefined && kept.keys[i] === key && kept.values[i] === value) {
          i++;
          continue;
        }
        changed = keptPrefix(kept, i);
      }
      changed.keys.push(key);
      changed.values.push(value);
      i++;
    }
  } catch {
    return THREW;
  }
  if (changed !== undefined) return changed;
  // Every member matched: the same members, or the first `i` of them when some were deleted.
  return kept !== undefined && i === kept.keys.length ? UNCHANGED : keptPrefix(kept, i);
}

/** The first `count` of `kept`'s members, as arrays to go on with. */
function keptPrefix(kept: KeptText | undefined, count: number): Members {
  return { keys: kept?.keys.slice(0, count) ?? [], values: kept?.values.slice(0, count) ?? [] };
}

/** The context's copy, censored, and its text. */
function keptText(reader: object, keys: readonly string[], values: readonly unknown[], sanitize: Sanitizer): KeptText {
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    // Assigned, an own `__proto__` member would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: values[i], enumerable: true, writable: true, configurable: true });
    else copy[key] = values[i];
  }
  const clean = sanitize(copy);
  return { reader, keys, values, clean, text: flatMembers(clean) };
}

/**
 * Whether the line's fields can be written after the context's text and give the merged line:
 * no field replaces a context member, and no field's key is a number (an object lists those
 * first, ahead of the context's members).
 */
function mayFollow(fields: Record<string, unknown>, contextKeys: readonly string[]): boolean {
  for (const key in fields) {
    const first = key.charCodeAt(0);
    if ((first >= 0x30 && first <= 0x39) || contextKeys.includes(key)) return false;
  }
  return true;
}
