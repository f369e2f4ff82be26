// The PutLogEvents request body, as bytes. Each queued message is written once, from the ring's
// UTF-8 bytes into the events array of the body, escaped as JSON.stringify escapes (the result is
// byte for byte what JSON.stringify gives). JSON.stringify would need every message as a string
// first, and the string it makes would be encoded again for the length, the SigV4 hash and the
// socket; the AWS SDK's own serializer escapes one character at a time. Pure.

import { BatchEvent } from './batch-event.js';

/** An event as the sender holds it: a BatchEvent cut from the queue, or any { timestamp, message }. */
export type BodyEvent = { timestamp: number; message: string } | BatchEvent;

/**
 * 1 for `"` and `\`, the two bytes at or above 0x20 that JSON escapes, as a backslash before the
 * byte itself: the escape loop adds this to where it writes rather than branching on it.
 */
const BACKSLASH_BEFORE = new Uint8Array(256);
BACKSLASH_BEFORE[0x22] = 1;
BACKSLASH_BEFORE[0x5c] = 1;
const HEX = '0123456789abcdef';
/** JSON.stringify's short escapes for control characters; the others become \u00XX. */
const SHORT_ESCAPES: Record<number, number> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };
/** The most one message byte becomes (\u00XX), and what an event adds around its message. */
export const WORST_BYTES_PER_MESSAGE_BYTE = 6;
export const EVENT_FRAME_BYTES = 64;
/**
 * Room a cut batch keeps in front of its events for the body's head (`{"logGroupName":…,"logEvents":[`),
 * and behind them for its tail: group and stream names of up to 512 characters each fit without
 * escapes, and a longer head is copied around the events instead.
 */
export const BODY_HEAD_ROOM = 2048;
export const BODY_TAIL_ROOM = 2;
const EVENTS_OPEN = 0x5b; // [
const EVENTS_CLOSE = 0x5d; // ]
const EVENT_START = Buffer.from('{"timestamp":');
const MESSAGE_START = Buffer.from(',"message":"');

/** Copies the few bytes of `text` into `out` at `at`: a loop beats Buffer.copy's call for a dozen bytes. */
function put(out: Buffer, at: number, text: Buffer): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text[i] as number;
  return at + text.length;
}

/** The decimal digits of a non-negative integer, without making a string. */
function putDigits(out: Buffer, at: number, value: number): number {
  // A time in ms has 13 digits: as two halves below 2^31, the digits come from integer division
  // rather than floating-point floor and remainder.
  if (value >= LOW_DIGITS_LIMIT) {
    const high = Math.floor(value / LOW_DIGITS_LIMIT);
    const to = putDigits(out, at, high);
    return putIntDigits(out, to, value - high * LOW_DIGITS_LIMIT, LOW_DIGITS);
  }
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return putIntDigits(out, at, value, digits);
}

const LOW_DIGITS = 9;
const LOW_DIGITS_LIMIT = 10 ** LOW_DIGITS;

/** `value` (below 10^9) as exactly `digits` decimal digits, zeros in front. */
function putIntDigits(out: Buffer, at: number, value: number, digits: number): number {
  let rest = value | 0;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = (rest / 10) | 0;
    out[i] = 0x30 + rest - next * 10;
    rest = next;
  }
  return at + digits;
}

/**
 * The message escaped as JSON, when it holds no control character (-1 when it does). pino's lines
 * are JSON, their control characters escaped already: what is left is a quote every few bytes. A
 * backslash is written before every byte and kept only for " and \ (the byte overwrites it
 * otherwise): one loop with no branch but its exit. Kept apart from escapeAll: V8 compiles this
 * loop markedly slower with the control-character path inside it.
 */
function escapeQuotesAndBackslashes(out: Buffer, at: number, source: Buffer, start: number, end: number): number {
  let to = at;
  for (let i = start; i < end; i++) {
    const byte = source[i] as number;
    if (byte < 0x20) return -1;
    out[to] = 0x5c;
    to += BACKSLASH_BEFORE[byte] as number;
    out[to++] = byte;
  }
  return to;
}

/** The message escaped as JSON.stringify escapes it, control characters included. */
function escapeAll(out: Buffer, at: number, source: Buffer, start: number, end: number): number {
  let to = at;
  for (let i = start; i < end; i++) {
    const byte = source[i] as number;
    if (byte < 0x20) {
      to = putControlEscape(out, to, byte);
      continue;
    }
    out[to] = 0x5c;
    to += BACKSLASH_BEFORE[byte] as number;
    out[to++] = byte;
  }
  return to;
}

/** A control character as JSON.stringify escapes it: \b \t \n \f \r, the others \u00XX. */
function putControlEscape(out: Buffer, at: number, byte: number): number {
  let to = at;
  out[to++] = 0x5c;
  const short = SHORT_ESCAPES[byte];
  if (short !== undefined) out[to++] = short;
  else {
    out[to++] = 0x75; // u00XX
    out[to++] = 0x30;
    out[to++] = 0x30;
    out[to++] = HEX.charCodeAt(byte >> 4);
    out[to++] = HEX.charCodeAt(byte & 15);
  }
  return to;
}

function putText(out: Buffer, at: number, text: string): number {
  return at + out.write(text, at, 'latin1');
}

/**
 * Writes `{"timestamp":T,"message":"…"}` for the UTF-8 message `source[start, end)` into `out` at
 * `at`; returns the end. The caller makes room: EVENT_FRAME_BYTES + the message's bytes ×
 * WORST_BYTES_PER_MESSAGE_BYTE. Bytes of multi-byte characters pass as they are (the queue holds
 * well-formed UTF-8: Buffer.write replaced any lone surrogate), as JSON.stringify leaves those
 * characters unescaped.
 */
export function writeEventJson(out: Buffer, at: number, timestamp: number, source: Buffer, start: number, end: number): number {
  let to = put(out, at, EVENT_START);
  to = Number.isSafeInteger(timestamp) && timestamp >= 0 ? putDigits(out, to, timestamp) : putText(out, to, JSON.stringify(timestamp));
  to = put(out, to, MESSAGE_START);
  const escaped = escapeQuotesAndBackslashes(out, to, source, start, end);
  to = escaped >= 0 ? escaped : escapeAll(out, to, source, start, end);
  out[to++] = 0x22;
  out[to++] = 0x7d;
  return to;
}

/** The JSON body of PutLogEvents for these events, as JSON.stringify({ logGroupName, logStreamName, logEvents }) writes it. */
export function putLogEventsBody(logGroupName: string, logStreamName: string, events: readonly BodyEvent[]): Buffer {
  const head = putLogEventsHead(logGroupName, logStreamName);
  const tail = Buffer.from(']}');
  const first = events[0];
  const last = events.at(-1);
  // A batch as it was cut: its events are one run of JSON already, commas included.
  if (first instanceof BatchEvent && last instanceof BatchEvent && isOneRun(events)) {
    if (isWholeBatch(first, last, head.length)) {
      // The room the batch kept around its events takes the head and the tail: the body is a view
      // of the batch's own buffer, not a copy of it. The same bytes each time the body is built.
      head.copy(first.json, first.start - head.length);
      first.json[last.end + 1] = 0x7d; // }
      return first.json.subarray(first.start - head.length, last.end + BODY_TAIL_ROOM);
    }
    return Buffer.concat([head, first.json.subarray(first.start, last.end), tail]);
  }
  const parts: Buffer[] = [head];
  for (const [index, event] of events.entries()) {
    if (index > 0) parts.push(COMMA);
    parts.push(
      event instanceof BatchEvent
        ? event.json.subarray(event.start, event.end)
        : Buffer.from(JSON.stringify({ timestamp: event.timestamp, message: event.message })),
    );
  }
  parts.push(tail);
  return Buffer.concat(parts);
}

const COMMA = Buffer.from(',');

/** `{"logGroupName":…,"logStreamName":…,"logEvents":[`: what a body holds before its events. */
export function putLogEventsHead(logGroupName: string, logStreamName: string): Buffer {
  return Buffer.from(`{"logGroupName":${JSON.stringify(logGroupName)},"logStreamName":${JSON.stringify(logStreamName)},"logEvents":[`);
}

/**
 * Whether `first` to `last` is a whole batch as EventQueue.takeBatch cut it, with room for a head of
 * `headBytes`: takeBatch writes "[" just before its first event and "]" just after its last, where
 * the events of half a batch have a comma. Writing the head and tail there then touches no event.
 */
function isWholeBatch(first: BatchEvent, last: BatchEvent, headBytes: number): boolean {
  const json = first.json;
  return (
    first.start >= headBytes &&
    json[first.start - 1] === EVENTS_OPEN &&
    last.end + BODY_TAIL_ROOM <= json.length &&
    json[last.end] === EVENTS_CLOSE
  );
}

/** Marks a cut batch's events in `json` (see isWholeBatch): "[" before `start`, "]" at `end`. */
export function markWholeBatch(json: Buffer, start: number, end: number): void {
  json[start - 1] = EVENTS_OPEN;
  json[end] = EVENTS_CLOSE;
}

/** True when each event's JSON follows the previous one's in the same buffer, one comma apart. */
function isOneRun(events: readonly BodyEvent[]): boolean {
  for (let i = 1; i < events.length; i++) {
    const previous = events[i - 1];
    const event = events[i];
    if (!(event instanceof BatchEvent) || !(previous instanceof BatchEvent)) return false;
    if (event.json !== previous.json || event.start !== previous.end + 1) return false;
  }
  return true;
}
