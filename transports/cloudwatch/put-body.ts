// The PutLogEvents request body, written as bytes straight from the queued events' UTF-8 bytes.
// JSON.stringify of the events would need every message as a string first, and the string it
// makes would be encoded again for the length, the SigV4 hash and the socket; the AWS SDK's own
// serializer escapes one character at a time. Here each message byte is copied once, escaped
// as JSON.stringify escapes (the result is byte for byte what JSON.stringify gives). Pure.

import { BatchEvent } from './batch-event.js';

/** An event as the sender holds it: a queued BatchEvent, or any { timestamp, message } (e.g. a split batch's). */
export type BodyEvent = { timestamp: number; message: string } | BatchEvent;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
/** JSON.stringify's short escapes for control characters; the others become \u00XX. */
const SHORT_ESCAPES: Record<number, number> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };
/** A control character's escape is at most 6 bytes: room is made for the worst case of each message. */
const WORST_ESCAPE_BYTES = 6;
const EVENT_START = Buffer.from('{"timestamp":');
const MESSAGE_START = Buffer.from(',"message":"');
const EVENT_END = Buffer.from('"}');

/** The JSON body of PutLogEvents for these events, as JSON.stringify({ logGroupName, logStreamName, logEvents }) writes it. */
export function putLogEventsBody(logGroupName: string, logStreamName: string, events: readonly BodyEvent[]): Buffer {
  const head = Buffer.from(
    `{"logGroupName":${JSON.stringify(logGroupName)},"logStreamName":${JSON.stringify(logStreamName)},"logEvents":[`,
  );
  let estimate = head.length + 2;
  for (const event of events) estimate += 48 + (event instanceof BatchEvent ? event.end - event.start : event.message.length * 3) * 1.25;
  let out = Buffer.allocUnsafe(Math.ceil(estimate));
  let at = head.copy(out, 0);

  const ensure = (bytes: number): void => {
    if (at + bytes <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
    out.copy(bigger, 0, 0, at);
    out = bigger;
  };

  for (let index = 0; index < events.length; index++) {
    const event = events[index] as BodyEvent;
    if (event instanceof BatchEvent) ensure(48 + (event.end - event.start) * WORST_ESCAPE_BYTES);
    if (index > 0) out[at++] = 0x2c;
    at += EVENT_START.copy(out, at);
    at += out.write(Number.isFinite(event.timestamp) ? String(event.timestamp) : 'null', at, 'latin1');
    if (event instanceof BatchEvent) {
      at += MESSAGE_START.copy(out, at);
      at = escapeInto(out, at, event.bytes, event.start, event.end);
      at += EVENT_END.copy(out, at);
    } else {
      // Not from the queue: the message is text, escaped by V8.
      const json = JSON.stringify(event.message);
      ensure(48 + json.length * 3);
      out[at++] = 0x2c;
      at += out.write('"message":', at, 'latin1');
      at += out.write(json, at, 'utf8');
      out[at++] = 0x7d;
    }
  }
  ensure(2);
  out[at++] = 0x5d;
  out[at++] = 0x7d;
  return out.subarray(0, at);
}

/**
 * Copies UTF-8 `source[start, end)` into `out` at `at` as the inside of a JSON string; returns
 * the end. Bytes of multi-byte characters pass as they are (the queue holds well-formed UTF-8:
 * Buffer.write replaced any lone surrogate), as JSON.stringify leaves those characters unescaped.
 */
function escapeInto(out: Buffer, at: number, source: Buffer, start: number, end: number): number {
  let to = at;
  for (let i = start; i < end; i++) {
    const byte = source[i] as number;
    if (byte >= 0x20 && byte !== QUOTE && byte !== BACKSLASH) {
      out[to++] = byte;
    } else if (byte === QUOTE || byte === BACKSLASH) {
      out[to++] = BACKSLASH;
      out[to++] = byte;
    } else {
      out[to++] = BACKSLASH;
      const short = SHORT_ESCAPES[byte];
      if (short !== undefined) out[to++] = short;
      else {
        out[to++] = 0x75; // u00XX
        out[to++] = 0x30;
        out[to++] = 0x30;
        out[to++] = HEX.charCodeAt(byte >> 4);
        out[to++] = HEX.charCodeAt(byte & 15);
      }
    }
  }
  return to;
}
