import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type pino from 'pino';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, plainKeySlot, REDACTED } from '../src/redact/secret-keys.js';
import { censorUrlSecrets } from '../src/redact/text-secrets.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';
import { guardedLogger, into } from './support/guarded-logger.js';

// Findings of the adversarial probe of the own level methods, the copying fast pass and the key
// normalization (issue #12): each test fails on the code before its fix.

const isSecret = createKeyMatcher(DEFAULT_REDACT_KEYS);
const sanitize = createSanitizer(isSecret);

/** A level method called with what its types forbid, as JavaScript callers may. */
const loosely = (method: pino.LogFn) => method as unknown as (...args: unknown[]) => void;

/** A pino logger built as the root is (guarded level methods and all), writing into `lines`. */
const logInto = (lines: string[], extra: pino.LoggerOptions = {}) => guardedLogger(sanitize, into(lines), extra);

describe('functions among the fields never run inside pino', () => {
  it("a request-like object's id() and a response-like getHeaders() are not called", () => {
    const lines: string[] = [];
    const log = logInto(lines);
    const id = () => 'https://h.example/?token=SECRET_reqid';
    const getHeaders = () => ({ authorization: 'SECRET_resheaders' });
    log.info({ method: 'GET', headers: {}, socket: {}, id }, 'nested request-like');
    log.info({ method: 'GET', headers: {}, socket: {}, id });
    log.info({ setHeader() {}, statusCode: 200, getHeaders }, 'flat response-like');
    log.info({ setHeader() {}, more: { a: 1 }, getHeaders }, 'nested response-like');
    assert.equal(lines.length, 4);
    for (const line of lines) assert.doesNotMatch(line, /SECRET_/);
  });
});

describe('an object whose own toString or valueOf is data', () => {
  it('as a %s, %d or %i argument, or in a list, does not make the call throw', () => {
    const lines: string[] = [];
    const log = logInto(lines);
    loosely(log.info.bind(log))('%s %d %i', { toString: 'x' }, { valueOf: 'y', toString: 'z' }, { valueOf: 1, toString: 2 });
    log.info('%s', [{ toString: 'x' }]);
    assert.equal(lines.length, 2);
    assert.equal(JSON.parse(lines[0] as string).msg, '[object Object] NaN NaN');
  });
  it('as the message of a prefixed child does not make the call throw', () => {
    const lines: string[] = [];
    const child = logInto(lines).child({}, { msgPrefix: 'p ' });
    loosely(child.info.bind(child))({}, { toString: 'x' });
    loosely(child.info.bind(child))(null, { valueOf: 'y' });
    assert.equal(lines.length, 2);
  });
  it('as an error given as a %s argument does not make the call throw', () => {
    const lines: string[] = [];
    logInto(lines).info('%s', Object.assign(new Error('e'), { toString: 'x' }));
    assert.equal(lines.length, 1);
  });
  it('keeps the member in the line', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(sanitize.value({ toString: 'x', valueOf: 1 }))), { toString: 'x', valueOf: 1 });
  });
});

describe('a function logged as the message', () => {
  it('by a prefixed child: its toString and Symbol.toPrimitive are not called', () => {
    const lines: string[] = [];
    const child = logInto(lines).child({}, { msgPrefix: 'p ' });
    const leaky = Object.assign(function leaky() {}, { toString: () => 'https://h.example/?token=SECRET_fnmsg' });
    const throwing = Object.assign(function throwing() {}, {
      [Symbol.toPrimitive]() {
        throw new Error('toPrimitive ran');
      },
    });
    loosely(child.info.bind(child))(leaky);
    loosely(child.info.bind(child))(throwing, 'x');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.doesNotMatch(line, /SECRET_/);
    assert.equal(JSON.parse(lines[0] as string).msg, 'p [Function: leaky]');
  });
});

describe('a boxed string', () => {
  it('is logged as its text, URL secrets censored, not character by character', () => {
    const out = sanitize({ url: new String('https://h.example/?token=SECRET_boxed'), n: new Number(3), b: new Boolean(false) });
    assert.deepEqual(out, { url: `https://h.example/?token=${REDACTED}`, n: 3, b: false });
  });
});

describe('hostile key names', () => {
  it('a key of a long run of combining marks is matched in bounded time', () => {
    // Canonical reordering in NFKC sorts a run of combining marks: quadratic in the run's length.
    const key = `a${'\u0301\u0316'.repeat(100_000)}`;
    const started = process.hrtime.bigint();
    assert.equal(isSecret(key), false);
    const out = sanitize({ [key]: 1, b: { c: 2 } });
    const lines: string[] = [];
    logInto(lines).info({ [`x${key}password`]: 'SECRET_marks' }, 'm');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(Object.keys(out).length, 2);
    assert.doesNotMatch(lines.join(''), /SECRET_/);
    // Unbounded, this takes minutes; bounded, milliseconds. The bound is far above either's noise.
    assert.ok(seconds < 5, `took ${seconds.toFixed(1)} s`);
  });
  it('invisible characters and separators padding a name still hide nothing in a long key', () => {
    const padded = `pass${'\u200b'.repeat(5000)}${'_'.repeat(5000)}word`;
    assert.equal(isSecret(padded), true);
    assert.equal(isSecret(`${'x'.repeat(10_000)}ａｐｉ＿ｋｅｙ`), true);
  });
  it('a key seen after ten thousand others (ids as keys) is still remembered as plain', () => {
    const matcher = createKeyMatcher(DEFAULT_REDACT_KEYS);
    for (let i = 0; i < 20_000; i++) matcher(`id${i}`);
    matcher('orderTotal');
    matcher('orderTotal');
    assert.equal(matcher.plainKeys?.[plainKeySlot('orderTotal')], 'orderTotal');
  });
  it('the matcher keeps no long key alive', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const matcher = createKeyMatcher(DEFAULT_REDACT_KEYS);
    gc();
    const before = process.memoryUsage().heapUsed;
    // Each key is a fresh string (ids as keys): 2,000 keys of 50,000 characters are 100 MB.
    for (let i = 0; i < 2000; i++) matcher(`${i}`.padEnd(50_000, 'k'));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 20 * 1024 * 1024, `the heap grew by ${(grown / 1024 / 1024).toFixed(0)} MB`);
  });
});

describe('URL userinfo in hostile text', () => {
  it('is searched in time linear in the text', () => {
    // Each shape made the userinfo patterns retry from every position to the end of the text.
    const shapes = [`${'a'.repeat(200_000)}@=`, `${'=a:'.repeat(70_000)}@`, `:${'=,'.repeat(100_000)}@h`, `@h${'=a:'.repeat(70_000)}`];
    const started = process.hrtime.bigint();
    for (const shape of shapes) assert.equal(censorUrlSecrets(shape, isSecret), shape);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Quadratic, these take minutes; linear, milliseconds. The bound is far above either's noise.
    assert.ok(seconds < 5, `took ${seconds.toFixed(1)} s`);
  });
  it('is still censored in every form', () => {
    const cases: Array<[string, string]> = [
      ['u:SECRET_1@h.example', `${REDACTED}@h.example`],
      ['db=u:SECRET_2@h.example:5432', `${REDACTED}@h.example:5432`],
      ['/x,u:SECRET_2@h.example', `/x,${REDACTED}@h.example`],
      ['"u:p@SECRET_3@h.example"', `"${REDACTED}@h.example"`],
      ['x (u:SECRET_4@h) y', `x ${REDACTED}@h) y`],
      ['a@b u:SECRET_5@h c@d', `a@b ${REDACTED}@h c@d`],
      ['1https://u:SECRET_6@h.example/', `1https://${REDACTED}@h.example/`],
      ['see HTTPS://u:SECRET_7@h.example/x', `see HTTPS://${REDACTED}@h.example/x`],
      ['ada@h.example and bob:x@ y', 'ada@h.example and bob:x@ y'],
      ['<u:SECRET_8@h>', `<${REDACTED}@h>`],
      ['/u:p@h', '/u:p@h'],
    ];
    for (const [text, censored] of cases) assert.equal(censorUrlSecrets(text, isSecret), censored, text);
    assert.equal(censorUrlSecrets('x u:SECRET_9@h', isSecret, true), 'x h');
  });
});
