// The members of a flat fields object (strings, numbers, booleans, null) as the JSON text pino
// writes for them, built here rather than with JSON.stringify: for a few short members its fixed
// cost is more than the members' own (docs/performance.md). Strings are quoted as pino quotes
// them, so the bytes are pino's: short ones by a scan for `"` and `\`, anything with a control
// character or over 100 characters by JSON.stringify.

/** Longer strings go to JSON.stringify, as pino does. */
const SCANNED_CHARS = 100;

/** `text` as a JSON string, as pino writes it. */
export function quoteAsPino(text: string): string {
  if (text.length > SCANNED_CHARS) return JSON.stringify(text);
  let quoted = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20) return JSON.stringify(text);
    if (code === 0x22 || code === 0x5c) {
      quoted += `${text.slice(from, i)}\\`;
      from = i;
    }
  }
  return from === 0 && quoted === '' ? `"${text}"` : `"${quoted}${text.slice(from)}"`;
}

/** Whether every member of `fields` is a string, number, boolean, null, undefined, function or symbol. */
function isFlat(fields: Record<string, unknown>): boolean {
  for (const key in fields) {
    const value = fields[key];
    if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') return false;
  }
  return true;
}

/**
 * `,"key":value` for each own enumerable member of `fields`, in order, as pino writes them; or
 * undefined when a member is an object or a BigInt (the caller stringifies the whole). Members
 * that JSON leaves out (undefined, functions, symbols) are left out. The members are checked
 * before any text is built: giving up halfway through made an object with a nested member cost
 * more than one JSON.stringify of it.
 */
export function flatMembers(fields: Record<string, unknown>): string | undefined {
  if (!isFlat(fields)) return undefined;
  let text = '';
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    switch (typeof value) {
      case 'string':
        text += `,${quoteAsPino(key)}:${quoteAsPino(value)}`;
        break;
      case 'number':
        text += `,${quoteAsPino(key)}:${Number.isFinite(value) ? value : 'null'}`;
        break;
      case 'boolean':
        text += `,${quoteAsPino(key)}:${value}`;
        break;
      case 'object':
        // null: isFlat let no other object through
        text += `,${quoteAsPino(key)}:null`;
        break;
      default:
        // undefined, a function or a symbol: not written
        break;
    }
  }
  return text;
}
