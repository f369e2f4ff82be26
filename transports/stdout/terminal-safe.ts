// In pretty mode a line is shown as text on a terminal, where a newline in a message or a key
// would start what looks like a second log line, and an escape sequence would restyle the
// screen. pino-pretty strips most control characters but keeps newlines and tabs, and prints
// keys as they are. So messages and keys (at any depth) have every control character written
// as an escape (`\n`, `\u001b`) before pino-pretty sees the line. JSON mode needs none of this:
// JSON already escapes them. Pure: no I/O.

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character shown as an escape. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The line pino-pretty should format: as it is when it holds no control character (JSON writes
 * them as `\…` escapes; U+2028/U+2029 go through raw), otherwise parsed, with its message and
 * every key escaped.
 */
export function terminalSafe(line: string): string | Record<string, unknown> {
  if (!line.includes('\\') && !line.includes('\u2028') && !line.includes('\u2029')) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return escapeControls(line);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
  const record = escapeKeys(parsed) as Record<string, unknown>;
  if (typeof record.msg === 'string') record.msg = escapeControls(record.msg);
  if (typeof record.module === 'string') record.module = escapeControls(record.module);
  return record;
}

function escapeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(escapeKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, escapeControls(key), { value: escapeKeys(item), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
