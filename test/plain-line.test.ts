import assert from 'node:assert/strict';
import { tracingChannel } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createKeyMatcher, DEFAULT_REDACT_KEYS } from '../src/redact/secret-keys.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';
import { guardedLogger, into } from './support/guarded-logger.js';
import { seededRandom } from './support/seeded-random.js';

// src/line/plain-line-writer.ts writes a plain call's line with one JSON.stringify in place of pino's asJson.
// Its lines must be pino's, byte for byte, and every logger it cannot serve must get pino's asJson.

const sanitize = createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS));
type Loose = Record<string, unknown>;
const { asJsonSym } = pino.symbols;

interface Built {
  logger: pino.Logger;
  lines: string[];
  /** How many lines went through pino's asJson. */
  asJsonCalls: () => number;
}

/** A logger built as the root is; `guarded` false keeps pino's own level methods (and so pino's asJson for every line). */
function build(guarded: boolean, extra: pino.LoggerOptions = {}): Built {
  const lines: string[] = [];
  const logger = guardedLogger(sanitize, into(lines), extra, guarded);
  let calls = 0;
  const internals = logger as unknown as Record<symbol, (...args: unknown[]) => string>;
  const asJson = internals[asJsonSym] as (...args: unknown[]) => string;
  internals[asJsonSym] = function countedAsJson(this: unknown, ...args: unknown[]) {
    calls++;
    return asJson.apply(this, args);
  };
  return { logger, lines, asJsonCalls: () => calls };
}

const withoutTime = (lines: string[]) => lines.map((line) => line.replace(/"time":\d+,/, ''));

const FIELD_SHAPES: Array<[string, Loose]> = [
  ['flat', { a: 1, b: 'x', i: 42 }],
  ['nested', { a: 1, user: { id: 'u-42', org: 'acme', tags: ['a', 'b'] } }],
  ['empty', {}],
  ['numbers', { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negZero: -0, big: 1e21, small: 1e-7 }],
  ['nulls and undefined', { n: null, u: undefined, nested: { u: undefined, n: null }, list: [undefined, null] }],
  ['escapes', { quote: 'say "hi"', slash: 'C:\\temp', control: 'a\u0001b\tc\nd', sep: 'x\u2028y', emoji: '😀 ünïcödé' }],
  ['odd keys', { 'with "quote"': 1, 'back\\slash': 2, 'new\nline': 3, '': 4, '10': 5, '2': 6 }],
  ['long string', { text: 'x'.repeat(500) }],
  ['a field named msg', { msg: 'field', other: 1 }],
  ['a date', { at: new Date(0) }],
  ['a deep tree (the full walk)', { l1: { l2: { l3: { l4: { l5: { l6: 'deep' } } } } } }],
  ['censored', { password: 'hunter2', url: '/cb?token=abc&x=1' }],
  ['a lone surrogate', { text: 'before \ud800 after' }],
  ['a lone surrogate, nested', { nested: { text: 'before \ud800 after' } }],
];

describe('plain lines: the same bytes as pino, without its asJson', () => {
  it('every shape of fields gives the line pino writes, without pino asJson', () => {
    const plain = build(true);
    const reference = build(false);
    for (const [name, fields] of FIELD_SHAPES) {
      for (const { logger } of [plain, reference]) logger.child({ shape: name, n: 1 }).info(fields, `message of ${name}`);
    }
    plain.logger.info({ a: 1 }, 'lone surrogate in the message \udc00');
    reference.logger.info({ a: 1 }, 'lone surrogate in the message \udc00');
    assert.equal(plain.lines.length, FIELD_SHAPES.length + 1);
    assert.deepEqual(withoutTime(plain.lines), withoutTime(reference.lines));
    // Only the nested lone surrogate takes pino's path: JSON.stringify would escape it (flat
    // members and the message are quoted as pino quotes them).
    assert.equal(plain.asJsonCalls(), 1);
    assert.equal(reference.asJsonCalls(), FIELD_SHAPES.length + 1);
  });

  it("pino's options that change a line's text are honoured: message key, crlf, timestamp, mixin, base", () => {
    const extra: pino.LoggerOptions = {
      messageKey: 'message',
      crlf: true,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: (_fields, level) => ({ mixedLevel: level }),
      base: { service: 'api' },
    };
    const plain = build(true, extra);
    const reference = build(false, extra);
    for (const { logger } of [plain, reference]) {
      logger.info({ a: 1 }, 'options');
      logger.child({ module: 'm' }).warn({ b: 'x' }, 'child');
    }
    const strip = (lines: string[]) => lines.map((line) => line.replace(/"time":"[^"]+",/, ''));
    assert.deepEqual(strip(plain.lines), strip(reference.lines));
    assert.match(plain.lines[0] ?? '', /"message":"options"\}\r\n$/);
    assert.equal(plain.asJsonCalls(), 0);
  });

  it("a child's own serializers or redact paths, a nested key, or a tracer of asJson get pino's asJson", () => {
    const plain = build(true);
    const reference = build(false);
    for (const { logger } of [plain, reference]) {
      logger.child({}, { serializers: { user: (user: { id: string }) => `user ${user.id}` } }).info({ user: { id: 'u-1' } }, 'serialized');
      logger.child({}, { redact: ['card'] }).info({ card: '4111', other: 1 }, 'redacted');
    }
    assert.deepEqual(withoutTime(plain.lines), withoutTime(reference.lines));
    assert.match(plain.lines[0] ?? '', /"user":"user u-1"/);
    assert.match(plain.lines[1] ?? '', /"card":"\[Redacted\]"/);
    assert.equal(plain.asJsonCalls(), 2);

    const nested = build(true, { nestedKey: 'payload' });
    nested.logger.info({ a: 1 }, 'nested key');
    assert.match(nested.lines[0] ?? '', /"payload":\{"a":1\}/);
    assert.equal(nested.asJsonCalls(), 1);

    const traced = build(true);
    const channel = tracingChannel('pino_asJson');
    const seen: unknown[] = [];
    const handlers = {
      start: (message: unknown) => void seen.push(message),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: () => undefined,
      error: () => undefined,
    };
    channel.subscribe(handlers);
    try {
      traced.logger.info({ a: 1 }, 'traced');
    } finally {
      channel.unsubscribe(handlers);
    }
    assert.equal(seen.length, 1);
    assert.equal(traced.asJsonCalls(), 1);
  });

  it('a log formatter that brings a cycle or a toJSON gets pino asJson, which copes; frozen fields are written as they are', () => {
    const cyclic: Loose = { name: 'loop' };
    cyclic.self = cyclic;
    const formatters: Array<[(fields: Loose) => Loose, number]> = [
      [(fields) => ({ ...fields, context: cyclic }), 1],
      [(fields) => ({ ...fields, nested: { n: 1 }, toJSON: () => 'replaced' }), 1],
      [(fields) => ({ ...fields, toJSON: () => 'replaced' }), 0],
      [(fields) => Object.freeze({ ...fields }), 0],
    ];
    for (const [log, asJsonCalls] of formatters) {
      const plain = build(true, { formatters: { log } });
      const reference = build(false, { formatters: { log } });
      plain.logger.info({ a: 1 }, 'odd formatter');
      reference.logger.info({ a: 1 }, 'odd formatter');
      assert.deepEqual(withoutTime(plain.lines), withoutTime(reference.lines));
      assert.equal(plain.asJsonCalls(), asJsonCalls);
      assert.doesNotMatch(plain.lines[0] ?? '', /replaced/);
    }
  });

  it("a stream that asks for pino's metadata gets the fields without the message, as pino gives them", () => {
    const seen: Array<{ line: string; lastObj: unknown; lastMsg: unknown; lastLevel: unknown }> = [];
    const stream = {
      [pino.symbols.needsMetadataGsym]: true,
      lastObj: undefined as unknown,
      lastMsg: undefined as unknown,
      lastLevel: undefined as unknown,
      write(line: string) {
        seen.push({ line, lastObj: stream.lastObj, lastMsg: stream.lastMsg, lastLevel: stream.lastLevel });
      },
    };
    const logger = guardedLogger(sanitize, stream);
    logger.warn({ a: 1, b: 'x' }, 'with metadata');
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0]?.lastObj, { a: 1, b: 'x' });
    assert.equal(seen[0]?.lastMsg, 'with metadata');
    assert.equal(seen[0]?.lastLevel, 40);
    assert.match(seen[0]?.line ?? '', /"a":1,"b":"x","msg":"with metadata"\}\n$/);
  });
});

const TEXT_PIECES = [
  'a',
  'Z',
  ' ',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'ü',
  '€',
  '😀',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udc00',
  '/',
  '%s',
  'x'.repeat(60),
];
const KEYS = ['a', 'id', 'user', 'msg', 'level', 'time', 'err', 'list', 'é', 'with space', '"q"', '0', '17', '__proto__x', 'toString', 'k'];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 7 : 10));
  switch (pick) {
    case 0:
      return Math.floor(next() * 2000) - 1000;
    case 1:
      return [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 0.1, -1.5e-7][Math.floor(next() * 6)];
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
    case 6: {
      let text = '';
      const pieces = Math.floor(next() * 6);
      for (let i = 0; i < pieces; i++) text += TEXT_PIECES[Math.floor(next() * TEXT_PIECES.length)];
      return text;
    }
    case 7:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    case 8:
      return new Date(Math.floor(next() * 2e12));
    default:
      return randomFields(next, depth + 1);
  }
}

function randomFields(next: () => number, depth: number): Loose {
  const fields: Loose = {};
  const count = Math.floor(next() * 6);
  for (let i = 0; i < count; i++) fields[KEYS[Math.floor(next() * KEYS.length)] as string] = randomValue(next, depth);
  return fields;
}

describe('plain lines against pino, over random fields', () => {
  it('2,000 random calls give the bytes pino gives', () => {
    const next = seededRandom(18);
    const plain = build(true);
    const reference = build(false);
    for (let i = 0; i < 2000; i++) {
      const fields = randomFields(next, 0);
      const message = String(randomValue(next, 3) ?? 'message');
      plain.logger.info(fields, message);
      reference.logger.info(fields, message);
    }
    assert.equal(plain.lines.length, 2000);
    const mismatched = withoutTime(plain.lines).findIndex((line, index) => line !== withoutTime(reference.lines)[index]);
    assert.equal(mismatched, -1, `call ${mismatched}: ${plain.lines[mismatched]} against ${reference.lines[mismatched]}`);
    // Most calls took the plain path; the rest carried a lone surrogate.
    assert.ok(plain.asJsonCalls() < 600, `${plain.asJsonCalls()} calls went through pino's asJson`);
  });
});
