import type { ContextFrame } from '../context/log-context.js';
import type { Sanitizer } from '../sanitize/sanitizer.js';
import { flatMembers } from './flat-json-members.js';

// Every line logged inside withLogContext or a tracked request carries the context's fields.
// Censoring them and writing them as text again for each line costs more than the rest of a
// short line (docs/performance.md, "The context as text"), so a context's text is made once,
// kept on its frame, and made again only when a field it was made from changes. Only contexts
// of plain values are kept: an object in a context could be changed in place between two
// lines, so such a context is merged into each line, as before.

/** What is kept of one context: the text of its members, and the values it was made from. */
interface KeptText {
  /** The reader that made it: another root (another sanitizer) makes its own. */
  readonly reader: object;
  /** `,"key":value…` as the plain line writer writes members; undefined: merge this context into each line. */
  readonly text: string | undefined;
  /** The context's enumerable keys, and what each held when the text was made. */
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
}

/**
 * The text of a context's members for lines censored by `sanitize`, or undefined when the line
 * must be merged as an object: a line field with a context key (the line's own value wins, and
 * a key is written once) or a context that holds objects.
 */
export type ContextText = (frame: ContextFrame, fields: Record<string, unknown>) => string | undefined;

/** A context-text reader for one root, which makes it with its sanitizer. */
export function contextTextReader(sanitize: Sanitizer): ContextText {
  const reader = {};
  return (frame, fields) => {
    const context = frame.fields;
    let kept = frame.kept as KeptText | undefined;
    if (kept === undefined || kept.reader !== reader || !stillTrue(kept, context)) {
      kept = textOf(reader, context, sanitize);
      frame.kept = kept;
    }
    if (kept.text === undefined) return undefined;
    for (const key in fields) if (Object.hasOwn(context, key)) return undefined;
    return kept.text;
  };
}

// A frame's fields object never changes after it is opened (a nested context is a new frame),
// but its getters can (request logging's route and user, learnt during the request). Reading
// every value is cheaper than asking which members are getters.
function stillTrue(kept: KeptText, context: Readonly<Record<string, unknown>>): boolean {
  const { keys, values } = kept;
  try {
    for (let i = 0; i < keys.length; i++) if (context[keys[i] as string] !== values[i]) return false;
  } catch {
    return false;
  }
  return true;
}

/** Reads each member once, into a plain copy the sanitizer takes its fast path on. */
function textOf(reader: object, context: Readonly<Record<string, unknown>>, sanitize: Sanitizer): KeptText {
  const keys: string[] = [];
  const values: unknown[] = [];
  const copy: Record<string, unknown> = {};
  try {
    for (const key in context) {
      const value = context[key];
      keys.push(key);
      values.push(value);
      copy[key] = value;
    }
  } catch {
    // A getter that throws: the sanitizer marks it on every line, as it does in a merged line.
    return { reader, text: undefined, keys: [], values: [] };
  }
  return { reader, text: flatMembers(sanitize(copy)), keys, values };
}
