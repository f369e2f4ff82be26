import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { runInLogContext, withLogContext } from '../src/context/log-context.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS } from '../src/redact/secret-keys.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';
import { guardedLogger, into } from './support/guarded-logger.js';

// src/line/context-text.ts writes a log context's members as text made once per context, not
// merged into every line's fields. The lines must be the ones the merged fields give through
// pino's own asJson, byte for byte, whatever the context holds and however it changes.

const sanitize = createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS));
type Loose = Record<string, unknown>;

/** Calls of the plain logger's sanitizer on an object that has `requestId` 'r-1' (the first context). */
let firstContextSanitized = 0;
const countingSanitize = Object.assign((fields: Loose) => {
  if (fields.requestId === 'r-1') firstContextSanitized++;
  return sanitize(fields);
}, sanitize);

function pair(): { plain: pino.Logger; reference: pino.Logger; plainLines: string[]; referenceLines: string[]; asJsonCalls: () => number } {
  const plainLines: string[] = [];
  const referenceLines: string[] = [];
  const plain = guardedLogger(countingSanitize, into(plainLines));
  const reference = guardedLogger(sanitize, into(referenceLines), {}, false);
  let calls = 0;
  const internals = plain as unknown as Record<symbol, (...args: unknown[]) => string>;
  const asJson = internals[pino.symbols.asJsonSym] as (...args: unknown[]) => string;
  internals[pino.symbols.asJsonSym] = function countedAsJson(this: unknown, ...args: unknown[]) {
    calls++;
    return asJson.apply(this, args);
  };
  return { plain, reference, plainLines, referenceLines, asJsonCalls: () => calls };
}

const withoutTime = (lines: string[]) => lines.map((line) => line.replace(/"time":\d+,/, ''));

const CONTEXTS: Array<[string, Loose]> = [
  ['flat', { requestId: 'r-1', method: 'GET', route: '/orders/:id', attempt: 2, sampled: true, none: null }],
  ['secrets', { requestId: 'r-2', password: 'hunter2', url: '/cb?access_token=abc&x=1', dsn: 'postgres://u:pw@db/x' }],
  ['an object', { requestId: 'r-3', tenant: { id: 't-1', plan: 'pro' } }],
  ['odd text', { quote: 'say "hi"', control: 'a\u0001b', long: 'y'.repeat(300), lone: 'x \ud800 y', '10': 'int key' }],
  ['empty', {}],
];

const LINES: Loose[] = [{ orderId: 1 }, { requestId: 'own id wins', orderId: 2 }, { nested: { a: [1, 2] } }, {}, { text: 'z \udc00' }];

/** Logs every line of LINES through both loggers. */
function logAll(plain: pino.Logger, reference: pino.Logger, label: string): void {
  for (const fields of LINES) {
    plain.info({ ...fields }, label);
    reference.info({ ...fields }, label);
  }
}

describe('the context as text: the bytes of the merged line', () => {
  it('every context shape, with every line shape, gives the merged line pino writes', () => {
    const { plain, reference, plainLines, referenceLines, asJsonCalls } = pair();
    for (const [name, context] of CONTEXTS) withLogContext(context, () => logAll(plain, reference, `in ${name}`));
    assert.equal(plainLines.length, CONTEXTS.length * LINES.length);
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
    const secretLine = JSON.parse(plainLines[LINES.length] as string) as Loose;
    assert.equal(secretLine.password, '[Redacted]');
    assert.equal(secretLine.url, '/cb?access_token=[Redacted]&x=1');
    assert.equal(JSON.parse(plainLines[1] as string).requestId, 'own id wins');
    // The context is censored once, not once a line: the line that gives its own requestId is
    // merged with the censored context kept beside the text.
    assert.equal(firstContextSanitized, 1);
    // pino's asJson writes only the lines plain text cannot: lone surrogates (one line shape, and
    // every line of the context that holds one).
    assert.ok(asJsonCalls() <= CONTEXTS.length + LINES.length, `asJson wrote ${asJsonCalls()} lines`);
  });

  it('a getter learnt later in the request shows on the lines after it, never a stale one (request logging route and user)', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    let route: string | undefined;
    let user: unknown;
    const context: Loose = { requestId: 'r-9' };
    Object.defineProperty(context, 'route', { enumerable: true, get: () => route });
    Object.defineProperty(context, 'user', { enumerable: true, get: () => user });
    runInLogContext(context, () => {
      logAll(plain, reference, 'before the route');
      route = '/orders/:id';
      logAll(plain, reference, 'after the route');
      user = { id: 'u-1' };
      logAll(plain, reference, 'with an object user');
      user = 'u-2';
      route = '/orders/:id/items';
      logAll(plain, reference, 'after both changed');
    });
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
    const routes = plainLines.map((line) => (JSON.parse(line) as Loose).route);
    assert.deepEqual([routes[0], routes[LINES.length], routes[3 * LINES.length]], [undefined, '/orders/:id', '/orders/:id/items']);
  });

  it('a nested context and a getter that throws give the merged line too', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    let calls = 0;
    const throwing: Loose = { requestId: 'r-5' };
    Object.defineProperty(throwing, 'flaky', {
      enumerable: true,
      get: () => {
        calls++;
        if (calls % 2 === 0) throw new Error('getter failed');
        return 'fine';
      },
    });
    withLogContext({ tenant: 't-1', requestId: 'outer' }, () =>
      withLogContext({ requestId: 'inner' }, () => logAll(plain, reference, 'nested')),
    );
    runInLogContext(throwing, () => logAll(plain, reference, 'throwing getter'));
    assert.equal(plainLines.length, 2 * LINES.length);
    assert.deepEqual(withoutTime(plainLines.slice(0, LINES.length)), withoutTime(referenceLines.slice(0, LINES.length)));
    assert.equal((JSON.parse(plainLines[0] as string) as Loose).requestId, 'inner');
    // The flaky getter alternates, so the two loggers see different values: each line is whole
    // JSON with the getter's value or the sanitizer's note, never a stale text.
    for (const line of plainLines.slice(LINES.length)) {
      const flaky = (JSON.parse(line) as Loose).flaky;
      assert.ok(flaky === 'fine' || String(flaky).includes('getter failed'), String(flaky));
    }
  });
});
