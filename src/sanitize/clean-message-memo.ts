import { mayHoldUrlSecret } from '../redact/text-secrets.js';

// Whether a log message can pass through the walk untouched: short enough, and no URL secret in
// it. Nearly every message is a literal repeated call after call, so the messages found clean are
// remembered: a string is immutable and the verdict depends only on the sanitizer's settings.
// Field values vary more (ids, counters): for them a miss costs more than the scan it saves.

/** Strings at least this long are checked every time and never held: the memory stays small. */
const MAX_REMEMBERED_CHARS = 128;
/** One remembered string per length (modulo this): a lookup is one array read and one `===`. */
const SLOTS = 64;

/**
 * A check that `text` holds no URL secret (given the shortest string that can hold one) and is
 * at most `maxStringChars` long. Never allocates.
 */
export function createCleanTextCheck(minUrlSecretChars: number, maxStringChars: number): (text: string) => boolean {
  const clean: string[] = new Array<string>(SLOTS).fill('');
  return (text) => {
    const length = text.length;
    if (length > maxStringChars) return false;
    if (length < minUrlSecretChars) return true;
    if (length >= MAX_REMEMBERED_CHARS) return !mayHoldUrlSecret(text);
    // Equal strings compare by identity first, so a repeated literal costs no scan at all.
    const slot = length % SLOTS;
    if (clean[slot] === text) return true;
    if (mayHoldUrlSecret(text)) return false;
    clean[slot] = text;
    return true;
  };
}
