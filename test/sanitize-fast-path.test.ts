import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pino from 'pino';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, REDACTED } from '../src/redact/secret-keys.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';
import { guardedLogger, into } from './support/guarded-logger.js';

const isSecret = createKeyMatcher(DEFAULT_REDACT_KEYS);
const sanitize = createSanitizer(isSecret);
type Loose = Record<string, any>;

/** A pino logger built as the root is (guarded level methods and all), writing into `lines`. */
const logInto = (lines: string[], extra: pino.LoggerOptions = {}) => guardedLogger(sanitize, into(lines), extra);

/** The same options with pino's own level methods around the logMethod hook: what the guarded methods stand in for. */
const hookedLogger = (lines: string[], extra: pino.LoggerOptions = {}) => guardedLogger(sanitize, into(lines), extra, false);

const withoutTime = (lines: string[]) => lines.map((line) => line.replace(/"time":\d+,/, ''));

/** An object whose getter counts its reads. */
function counted(value: unknown): { object: Loose; reads: () => number } {
  let reads = 0;
  const object = Object.defineProperty({ id: 1 }, 'field', {
    enumerable: true,
    get: () => {
      reads++;
      return value;
    },
  });
  return { object, reads: () => reads };
}

describe("the guarded level methods write what pino's own methods write", () => {
  const proxy = new Proxy(
    {},
    {
      get() {
        throw new Error('trap get');
      },
      ownKeys() {
        throw new Error('trap keys');
      },
      getPrototypeOf() {
        throw new Error('trap proto');
      },
    },
  );
  const error = new Error('boom');
  const calls = (log: pino.Logger) => {
    log.info({ a: 1, b: 'x' }, 'hello world');
    log.info({ a: 1, user: { id: 'u-42', org: 'acme', tags: ['a', 'b'] } }, 'nested');
    log.warn({ password: 'SECRET_pw', url: '/cb?token=SECRET_t' }, 'censored');
    log.info('user %s did %d things', 'ada', 3);
    log.info({ n: 1 }, 'with %s', 'argument');
    log.error(error, 'failed');
    log.info({ method: 'GET', headers: 'h', socket: 's' }, 'looks like a request');
    log.info({ setHeader: () => undefined, statusCode: 200 }, 'looks like a response');
    log.info(proxy as object, 'proxy first');
    log.info('only a message');
    log.child({ module: 'm' }, { msgPrefix: '[m] ' }).info({ a: 1 }, 'prefixed');
    log.child({ module: 'c' }).info({ b: 2 }, 'child');
  };

  it('the same lines, call for call, as through the hook', () => {
    const guarded: string[] = [];
    const hooked: string[] = [];
    calls(logInto(guarded));
    calls(hookedLogger(hooked));
    assert.equal(guarded.length, 12);
    assert.deepEqual(withoutTime(guarded), withoutTime(hooked));
    assert.doesNotMatch(guarded.join(''), /SECRET_/);
  });

  it('level methods are guarded again after level changes, in children with their own level, and for custom levels', () => {
    const lines: string[] = [];
    const log = logInto(lines, { customLevels: { audit: 35 }, level: 'info' });
    const audited = log as unknown as pino.Logger<'audit'>;
    audited.audit({ apiKey: 'SECRET_a1' }, 'custom level');
    log.level = 'debug';
    log.debug({ token: 'SECRET_a2' }, 'after a level change');
    log.debug(proxy as object, 'proxy after a level change');
    const child = log.child({ c: 1 }, { level: 'trace' });
    child.trace({ secret: 'SECRET_a3' }, 'child with its own level');
    const grandchild = child.child({ g: 1 });
    grandchild.level = 'warn';
    grandchild.info({ password: 'SECRET_a4' }, 'below the level: dropped');
    grandchild.warn({ password: 'SECRET_a5' }, 'grandchild warn');
    log.level = 'silent';
    log.error({ password: 'SECRET_a6' }, 'silent');
    log.level = 'info';
    log.fatal({ password: 'SECRET_a7' }, "fatal keeps pino's method, through the hook");
    const messages = lines.map((line) => JSON.parse(line).msg);
    assert.deepEqual(messages, [
      'custom level',
      'after a level change',
      'proxy after a level change',
      'child with its own level',
      'grandchild warn',
      "fatal keeps pino's method, through the hook",
    ]);
    assert.doesNotMatch(lines.join(''), /SECRET_/);
    assert.match(lines[2] ?? '', /Unreadable: trap proto/);
  });
});

describe('the fast pass copies what it checks, so pino reads only that', () => {
  it('a getter read once, on a flat object: a clean value then a secret never leaks', () => {
    let reads = 0;
    const fields = Object.defineProperty({ a: 1 }, 'note', {
      enumerable: true,
      get: () => (reads++ === 0 ? 'clean' : 'https://u:SECRET_getter@h.example/?token=SECRET_getter2'),
    });
    const lines: string[] = [];
    logInto(lines).info(fields, 'flat getter');
    assert.equal(reads, 1);
    assert.doesNotMatch(lines.join(''), /SECRET_/);
    assert.match(lines[0] ?? '', /"note":"clean"/);
  });

  it('a getter read once, on a nested object, whether the pass finishes or hands over to the walk', () => {
    const clean = counted('clean');
    const lines: string[] = [];
    const log = logInto(lines);
    log.info({ outer: { inner: clean.object } }, 'clean nested');
    assert.equal(clean.reads(), 1);
    // The pass gives up at the password, after copying the getter's object: the walk reads the copy.
    const handedOver = counted('https://u:SECRET_nested@h.example/');
    log.info({ outer: { inner: handedOver.object, password: 'SECRET_pw' } }, 'secret nested');
    assert.equal(handedOver.reads(), 1);
    assert.doesNotMatch(lines.join(''), /SECRET_/);
    assert.equal(JSON.parse(lines[1] ?? '{}').outer.inner.field, `https://${REDACTED}@h.example/`);
  });

  it('an array item read once: a getter or a Proxy answering clean then secret never leaks', () => {
    let reads = 0;
    const list: unknown[] = ['a'];
    Object.defineProperty(list, 1, { enumerable: true, get: () => (reads++ === 0 ? 'clean' : '/x?token=SECRET_item') });
    let gets = 0;
    const shifty = new Proxy(['a', 'b'], {
      get: (target, key) => (key === '1' && gets++ > 0 ? 'https://u:SECRET_parr@h.example/' : Reflect.get(target, key)),
    });
    const lines: string[] = [];
    logInto(lines).info({ list, shifty }, 'arrays');
    assert.equal(reads, 1);
    assert.doesNotMatch(lines.join(''), /SECRET_/);
    assert.deepEqual(JSON.parse(lines[0] ?? '{}').list, ['a', 'clean']);
  });

  it('a Proxy whose traps answer differently each time is logged as its first answer', () => {
    let gets = 0;
    const shifty = new Proxy({ a: 'clean' } as Loose, {
      get: (target, key) => (key === 'a' && gets++ > 0 ? 'https://u:SECRET_proxy@h.example/' : target[key as string]),
    });
    const lines: string[] = [];
    logInto(lines).info({ nested: shifty }, 'proxy');
    logInto(lines).info(shifty, 'proxy first');
    assert.doesNotMatch(lines.join(''), /SECRET_/);
  });

  it('a clean nested tree comes back as equal copies; shared objects, cycles and deep trees go to the walk as before', () => {
    const user = { id: 'u-42', org: 'acme', roles: ['admin', { name: 'billing' }] };
    const out = sanitize({ a: 1, b: 'x', user });
    assert.deepEqual(out, { a: 1, b: 'x', user });
    assert.notEqual(out.user, user);
    const shared = { id: 's' };
    assert.deepEqual(sanitize({ x: shared, y: [shared] }), { x: { id: 's' }, y: [{ id: 's' }] });
    const node: Loose = { name: 'n', child: { name: 'c' } };
    node.child.parent = node;
    assert.deepEqual(sanitize({ node }), { node: { name: 'n', child: { name: 'c', parent: '[Circular]' } } });
    const self: Loose = { name: 's' };
    self.self = self;
    assert.deepEqual(sanitize(self), { name: 's', self: '[Circular]' });
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: { token: 'SECRET_deep', ok: 1 } } } } } } };
    assert.deepEqual(sanitize(deep), { l1: { l2: { l3: { l4: { l5: { l6: { token: REDACTED, ok: 1 } } } } } } });
  });

  it('everything the walk treats specially is left to it, at any depth the pass reaches', () => {
    const out = sanitize({
      a: { pair: ['authorization', 'SECRET_pair'], list: [1, 'x', null] },
      b: { when: new Date(0), tag: Symbol('t'), toJSON: () => ({ token: 'SECRET_tj' }) },
      c: { rawHeaders: ['Authorization', 'SECRET_raw'], _header: 'GET / HTTP/1.1\r\nCookie: SECRET_hdr\r\n' },
      d: { url: '/x?access_token=SECRET_s&page=2', big: 10n, fn: () => 1 },
      e: [{ password: 'SECRET_item' }],
    }) as Loose;
    const text = JSON.stringify(out, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
    assert.doesNotMatch(text, /SECRET_/);
    assert.deepEqual(out.a.list, [1, 'x', null]);
    assert.equal(out.d.big, 10n);
    assert.equal(out.d.url, `/x?access_token=${REDACTED}&page=2`);
  });

  it('a __proto__ key at any depth stays an own field of a plain copy', () => {
    const parsed = JSON.parse('{"a":1,"__proto__":{"polluted":"yes"},"n":{"__proto__":{"token":"SECRET_proto"}}}');
    const out = sanitize(parsed);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Loose).polluted, undefined);
    assert.deepEqual(Object.keys(out), ['a', '__proto__', 'n']);
    assert.doesNotMatch(JSON.stringify(out), /SECRET_/);
  });

  it('a getter that logs while the fast pass reads it gets its own line, and neither line leaks', () => {
    const lines: string[] = [];
    const log = logInto(lines);
    const inner = Object.defineProperty({}, 'value', {
      enumerable: true,
      get: () => {
        log.info({ nested: { token: 'SECRET_reentrant' } }, 'from a getter');
        return 'v';
      },
    });
    log.info({ outer: { inner }, password: 'SECRET_outer' }, 'outer');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).msg),
      ['from a getter', 'outer'],
    );
    assert.doesNotMatch(lines.join(''), /SECRET_/);
  });
});

describe('random trees through the fast pass and the walk', () => {
  it('no secret of 2,000 generated trees reaches the output, and no input is changed', () => {
    let seed = 12;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    // The input as it is, without calling its getters (a getter here answers differently each time).
    const snapshot = (item: unknown, seen = new Set<object>()): unknown => {
      if (typeof item !== 'object' || item === null) return typeof item === 'undefined' ? '(undefined)' : item;
      if (seen.has(item)) return '(seen)';
      seen.add(item);
      return Object.entries(Object.getOwnPropertyDescriptors(item)).map(([key, d]) => [
        key,
        'value' in d ? snapshot(d.value, seen) : '(accessor)',
      ]);
    };
    const keys = ['a', 'userId', 'password', 'x-api-key', 'url', '__proto__', 'toJSON', 'rawHeaders', 'pass\u200Bword', 'note', 'session'];
    const secretStrings = ['https://u:SECRET_u@h.example/', '/cb?token=SECRET_q&a=1', '/x?session=SECRET_s', 'redis u:SECRET_b@h.example'];
    let shared: object = { id: 'shared' };
    const value = (depth: number): unknown => {
      switch (random(depth > 3 ? 6 : 10)) {
        case 0:
          return 'plain text';
        case 1:
          return random(3);
        case 2:
          return secretStrings[random(secretStrings.length)];
        case 3:
          return random(2) === 0 ? null : undefined;
        case 4:
          return ['authorization', 'SECRET_pair'];
        case 5:
          return shared;
        case 6:
          return tree(depth + 1);
        case 7:
          return [value(depth + 1), value(depth + 1)];
        case 8:
          return new Date(0);
        default: {
          let reads = 0;
          return Object.defineProperty({}, 'lazy', { enumerable: true, get: () => (reads++ === 0 ? 'clean' : '/x?token=SECRET_g') });
        }
      }
    };
    const tree = (depth: number): Record<string, unknown> => {
      const node: Record<string, unknown> = {};
      for (let i = random(5); i >= 0; i--) {
        const key = keys[random(keys.length)] as string;
        const item = key.includes('pass') || key === 'x-api-key' ? 'SECRET_k' : value(depth);
        Object.defineProperty(node, key, { value: item, enumerable: true, writable: true, configurable: true });
      }
      if (random(4) === 0) {
        let reads = 0;
        Object.defineProperty(node, 'lazyTop', {
          enumerable: true,
          get: () => (reads++ === 0 ? 'clean' : 'https://u:SECRET_top@h.example/'),
        });
      }
      return node;
    };
    for (let n = 0; n < 2000; n++) {
      shared = random(2) === 0 ? { id: 'shared', token: 'SECRET_t' } : { id: 'shared' };
      const input = tree(0);
      const before = JSON.stringify(snapshot(input));
      const lines: string[] = [];
      logInto(lines).info(input, 'random');
      assert.doesNotMatch(lines[0] ?? '', /SECRET_/, lines[0]);
      assert.doesNotMatch(JSON.stringify(sanitize(input)), /SECRET_/);
      assert.equal(JSON.stringify(snapshot(input)), before);
    }
  });
});
