import { REDACTED } from './secret-keys.js';

// The values of secret parameters in text: `name=value` after `?`, `&`, `;` or `#` (the query,
// and the fragment of an OAuth implicit grant). A scan rather than a global RegExp replace with a
// callback, which cost several times as much on every URL a line carries (docs/performance.md).
// It finds what /([?&;#])([^=&#\s?;]+)=([^&#\s;]*)/g finds: test/secret-parameters.test.ts
// checks it against that pattern.

/** Whether `code` starts a parameter: `?`, `&`, `;` or `#`. */
function isSeparator(code: number): boolean {
  return code === 0x3f || code === 0x26 || code === 0x3b || code === 0x23;
}

/** Whether `code` is whitespace as a RegExp's `\s` sees it. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** A name runs to the first `=`, `&`, `#`, `?`, `;` or space. */
function endOfName(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x3d || isSeparator(code) || isSpace(code)) break;
  }
  return i;
}

/** A value runs to the first `&`, `#`, `;` or space (a `?` or `=` belongs to it). */
function endOfValue(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x26 || code === 0x23 || code === 0x3b || isSpace(code)) break;
  }
  return i;
}

/**
 * `text` with the value of every parameter `isSecretName` names replaced by `[Redacted]`; values
 * already `[Redacted]`, and empty ones, are kept. The same string when nothing changed.
 */
export function censorSecretParameters(text: string, isSecretName: (name: string) => boolean): string {
  let out: string | undefined;
  let copiedTo = 0;
  let i = 0;
  while (i < text.length) {
    if (!isSeparator(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const nameEnd = endOfName(text, i + 1);
    if (nameEnd === i + 1 || text.charCodeAt(nameEnd) !== 0x3d) {
      i++;
      continue;
    }
    const valueEnd = endOfValue(text, nameEnd + 1);
    const value = text.slice(nameEnd + 1, valueEnd);
    if (value !== '' && value !== REDACTED && isSecretName(text.slice(i + 1, nameEnd))) {
      out = `${out ?? ''}${text.slice(copiedTo, nameEnd + 1)}${REDACTED}`;
      copiedTo = valueEnd;
    }
    i = valueEnd;
  }
  return out === undefined ? text : `${out}${text.slice(copiedTo)}`;
}
