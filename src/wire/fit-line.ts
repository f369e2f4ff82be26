// Fitting an oversized line into a byte limit without losing what people search by: the line
// stays valid JSON, the longest string values are shortened first (at UTF-8 boundaries, with a
// visible marker and their original size), and msg, level, time, module, channel and the small
// fields stay as they were. Only a line that is not JSON is cut at its tail. Pure and plain (no
// imports beyond src/wire/utf8.ts): the app's thread caps lines with it (LOG_MAX_LINE_BYTES) and the
// CloudWatch sink fits events with it, so the rule is written once.

import { capUtf8, cutUtf8, truncationMarker, utf8Bytes } from './utf8.js';

/** The field a fitted line gets: `{ originalBytes }`, the size of the line before any fitting. */
export const TRUNCATION_FIELD = 'logferryTruncated';

/** Values shorter than this are never shortened: they are the fields people filter on. */
const KEEP_BYTES = 256;
const SEARCHED_FIELDS = new Set(['msg', 'level', 'time', 'module', 'channel']);
const EARLIER_CUT = /…\[truncated by logferry: (\d+) bytes\]$/;
/** Each shortening re-measures one value only; a few rounds absorb what JSON escaping adds. */
const MAX_ROUNDS_PER_VALUE = 8;

/** A line and whether it had to be shortened. */
export interface FittedMessage {
  message: string;
  truncated: boolean;
}

interface StringLeaf {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  value: string;
  bytes: number;
  searched: boolean;
}

/** `line` (one JSON object, no trailing newline) as text of at most `maxBytes` UTF-8 bytes. */
export function fitMessage(line: string, maxBytes: number): FittedMessage {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: most lines fit without being measured.
  if (line.length * 3 <= maxBytes) return { message: line, truncated: false };
  const originalBytes = utf8Bytes(line);
  if (originalBytes <= maxBytes) return { message: line, truncated: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { message: capUtf8(line, maxBytes), truncated: true };
  }
  const record = parsed as Record<string, unknown>;
  // A line fitted once already (on the app's thread, then by a sink) keeps its first size.
  const earlier = (record[TRUNCATION_FIELD] as { originalBytes?: unknown } | undefined)?.originalBytes;
  record[TRUNCATION_FIELD] = { originalBytes: typeof earlier === 'number' && earlier > originalBytes ? earlier : originalBytes };
  return { message: shortenStrings(record, maxBytes) ?? skeleton(record, line, originalBytes, maxBytes), truncated: true };
}

/** Size of `value` as it appears inside the JSON text (quotes and escapes included). */
function encodedBytes(value: string): number {
  return utf8Bytes(JSON.stringify(value));
}

// Each value is measured on its own and the line's size kept by difference, so shortening a
// line of thousands of values costs one pass, not one serialization of the line per value.
function shortenStrings(record: Record<string, unknown>, maxBytes: number): string | undefined {
  const leaves = collectLeaves(record).sort((a, b) => Number(a.searched) - Number(b.searched) || b.bytes - a.bytes);
  let size = utf8Bytes(JSON.stringify(record));
  for (const leaf of leaves) {
    if (size <= maxBytes) break;
    if (leaf.bytes <= KEEP_BYTES) continue;
    // A value the app's thread already cut keeps the size it had before that first cut.
    const earlier = EARLIER_CUT.exec(leaf.value);
    const tail = truncationMarker(earlier ? Number(earlier[1]) : leaf.bytes);
    const text = earlier ? leaf.value.slice(0, -earlier[0].length) : leaf.value;
    const before = encodedBytes(leaf.value);
    let budget = Math.max(KEEP_BYTES, leaf.bytes - (size - maxBytes) - utf8Bytes(tail));
    let after = before;
    for (let round = 0; round < MAX_ROUNDS_PER_VALUE; round++) {
      const shortened = cutUtf8(text, budget) + tail;
      after = encodedBytes(shortened);
      setLeaf(leaf, shortened);
      const over = size - before + after - maxBytes;
      if (over <= 0 || budget === KEEP_BYTES) break;
      budget = Math.max(KEEP_BYTES, budget - over);
    }
    size += after - before;
  }
  if (size > maxBytes) return undefined;
  const json = JSON.stringify(record);
  return utf8Bytes(json) <= maxBytes ? json : undefined;
}

function setLeaf(leaf: StringLeaf, value: string): void {
  (leaf.holder as Record<string | number, unknown>)[leaf.key] = value;
}

function collectLeaves(root: Record<string, unknown>): StringLeaf[] {
  const leaves: StringLeaf[] = [];
  const visit = (holder: Record<string, unknown> | unknown[], depth: number): void => {
    const entries: Array<[string | number, unknown]> = Array.isArray(holder) ? holder.map((v, i) => [i, v]) : Object.entries(holder);
    for (const [key, value] of entries) {
      if (typeof value === 'string') {
        leaves.push({ holder, key, value, bytes: utf8Bytes(value), searched: depth === 0 && SEARCHED_FIELDS.has(String(key)) });
      } else if (typeof value === 'object' && value !== null) {
        visit(value as Record<string, unknown>, depth + 1);
      }
    }
  };
  visit(root, 0);
  return leaves;
}

/** When shortening strings is not enough (huge arrays, thousands of keys): the searched fields plus the head of the line as text. */
function skeleton(record: Record<string, unknown>, line: string, originalBytes: number, maxBytes: number): string {
  const kept: Record<string, unknown> = {};
  for (const field of SEARCHED_FIELDS) {
    const value = record[field];
    if (value !== undefined) kept[field] = typeof value === 'string' ? cutUtf8(value, 1024) : value;
  }
  kept[TRUNCATION_FIELD] = { originalBytes, reason: 'too many values to shorten one by one' };
  const room = maxBytes - utf8Bytes(JSON.stringify({ ...kept, head: '' })) - 64;
  let head = cutUtf8(line, room);
  let json = JSON.stringify({ ...kept, head });
  // Escaping quotes in the head makes it longer: shrink until it fits.
  while (utf8Bytes(json) > maxBytes && head.length > 0) {
    head = cutUtf8(head, utf8Bytes(head) - (utf8Bytes(json) - maxBytes) - 16);
    json = JSON.stringify({ ...kept, head });
  }
  return json;
}
