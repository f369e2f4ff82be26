import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { capLineBytes, safeArguments } from '../src/guard/log-call-guard.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, REDACTED } from '../src/redact/secret-keys.js';
import { censorUrlSecrets, describeSecret, describeSettingValue, safeNoticeText } from '../src/redact/text-secrets.js';
import { CUT_FIELD, createSanitizer, DEFAULT_WALK_LIMITS } from '../src/sanitize/sanitizer.js';
import { fitMessage } from '../src/wire/fit-line.js';
import { readLastError, sharedBufferBytes, viewSharedState } from '../src/wire/protocol.js';
import { createSinkReporter } from '../src/wire/sink-reporter.js';

const isSecret = createKeyMatcher(DEFAULT_REDACT_KEYS);
const sanitize = createSanitizer(isSecret);
type Loose = Record<string, any>;

/** An object whose every getter makes a fresh object with `width` more getters: unbounded if walked naively. */
function lazyTree(width: number): object {
  const node: Record<string, unknown> = {};
  for (let i = 0; i < width; i++) Object.defineProperty(node, `k${i}`, { enumerable: true, get: () => lazyTree(width) });
  return node;
}

describe('the walk censors every occurrence and never changes the caller', () => {
  it('censors a second reference to the same object, not only the first', () => {
    const shared = { password: 'p1', headers: { Authorization: 'Bearer t' } };
    const out = sanitize({ a: shared, b: shared, list: [shared] }) as Loose;
    for (const copy of [out.a, out.b, out.list[0]]) {
      assert.equal(copy.password, REDACTED);
      assert.equal(copy.headers.Authorization, REDACTED);
    }
    assert.ok(!JSON.stringify(out).includes('Bearer t'));
    assert.equal(shared.password, 'p1', 'the caller object is untouched');
  });

  it('censors an axios-style error whose response.config is its own config', () => {
    const config = { url: '/v1?api_key=K1', headers: { Authorization: 'Bearer A1' } };
    const error = Object.assign(new Error('Request failed with status code 401'), { config, response: { status: 401, config } });
    const text = JSON.stringify(sanitize({ err: error }));
    assert.ok(!text.includes('A1') && !text.includes('K1'), text);
    assert.match(text, /"status":401/);
  });

  it('marks only a true cycle as [Circular]', () => {
    const node: Loose = { name: 'n' };
    node.self = node;
    const out = sanitize({ node, again: node }) as Loose;
    assert.equal(out.node.self, '[Circular]');
    assert.equal(out.again.name, 'n');
  });

  it('censors secret query parameters and URL userinfo in any string', () => {
    const out = sanitize({
      url: '/cb?state=ok&access_token=AT1&page=2',
      link: 'https://user:PW1@db.example:5432/x?X-Amz-Signature=SIG1&X-Amz-Date=20260101',
      note: 'a@b.c wrote 1=1',
    }) as Loose;
    assert.equal(out.url, `/cb?state=ok&access_token=${REDACTED}&page=2`);
    assert.equal(out.link, `https://${REDACTED}@db.example:5432/x?X-Amz-Signature=${REDACTED}&X-Amz-Date=20260101`);
    assert.equal(out.note, 'a@b.c wrote 1=1');
  });

  it('a flat line (the fast pass) censors URL secrets to the same text as a line the full walk takes', () => {
    const strings = {
      url: '/orders/7?token=T1&page=2',
      again: '/orders/7?token=[Redacted]&page=2',
      link: 'https://user:PW2@db.example/x?sig=S1&code=C1',
      plain: 'a=b',
      long: `/x?${'k=v&'.repeat(200)}api_key=K1`,
    };
    const flat = sanitize({ ...strings }) as Loose;
    // A nested member sends the whole line to the full walk.
    const walked = sanitize({ ...strings, nested: { n: 1 } }) as Loose;
    for (const key of Object.keys(strings)) assert.equal(flat[key], walked[key], key);
    assert.equal(flat.url, `/orders/7?token=${REDACTED}&page=2`);
    assert.doesNotMatch(JSON.stringify(flat), /T1|PW2|S1|K1/);
  });

  it('censors secret properties of an error itself', () => {
    const error = Object.assign(new Error('x'), { token: 'T1', details: { apiKey: 'K2' } });
    const text = JSON.stringify(sanitize({ err: error }));
    assert.ok(!text.includes('T1') && !text.includes('K2'), text);
  });
});

describe('a real request and response', () => {
  it('logging { req, res } from a live HTTP server censors the Bearer token everywhere it is held, within the budget', async () => {
    const server = createServer((req, res) => {
      const out = JSON.stringify(sanitize({ req, res }));
      res.end(
        JSON.stringify({ leaked: out.includes('TOKEN-REQ') || out.includes('sid-REQ'), bytes: out.length, cut: out.includes(CUT_FIELD) }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const outgoing = request(
          { port, host: '127.0.0.1', headers: { Authorization: 'Bearer TOKEN-REQ', Cookie: 'sid=sid-REQ' } },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => {
              body += chunk.toString();
            });
            res.on('end', () => resolve(body));
          },
        );
        outgoing.on('error', reject);
        outgoing.end();
      });
      const result = JSON.parse(answer) as { leaked: boolean; bytes: number };
      assert.equal(result.leaked, false, answer);
      assert.ok(result.bytes < 4 * 1024 * 1024, answer);
    } finally {
      server.close();
    }
  });
});

describe('the walk is bounded', () => {
  it('stops a lazy tree of getters early and says where it was cut', () => {
    const started = process.hrtime.bigint();
    const out = sanitize({ value: lazyTree(3) }) as Loose;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(out[CUT_FIELD], 'the line says it was cut');
    assert.match(out[CUT_FIELD].at, /^value\.k\d/);
    assert.ok(['values', 'depth'].includes(out[CUT_FIELD].limit));
    assert.ok(JSON.stringify(out).length < 2_000_000);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it('cuts a huge array and a huge string, and keeps their head', () => {
    const small = createSanitizer(isSecret, { ...DEFAULT_WALK_LIMITS, maxValues: 100, maxStringChars: 1000, maxTextChars: 5000 });
    const listed = small({ list: Array.from({ length: 1000 }, (_, i) => i), after: 1 }) as Loose;
    assert.equal(listed.list[0], 0);
    assert.match(listed.list.at(-1), /more items/);
    assert.ok(listed.list.length <= 101);
    assert.deepEqual(listed[CUT_FIELD], { limit: 'values', at: 'list[99]' });
    assert.match(listed['[logferry]'], /1 more keys/, 'what came after the cut is said, not silently gone');
    const out = small({ text: 'y'.repeat(10_000), organizationId: 'org-1' }) as Loose;
    assert.equal(out.organizationId, 'org-1', 'a small field after a cut string is kept');
    assert.match(out.text, /^y{1000}…\[truncated by logferry: 10000 bytes\]$/);
    assert.equal(out[CUT_FIELD].limit, 'text');
    assert.equal(out[CUT_FIELD].at, 'text');
  });

  it('marks values deeper than the depth limit instead of handing them on', () => {
    let deep: Loose = { leaf: true };
    for (let i = 0; i < 40; i++) deep = { deep };
    const out = sanitize(deep) as Loose;
    assert.equal(out[CUT_FIELD].limit, 'depth');
    assert.match(JSON.stringify(out), /deeper than 32 levels/);
  });

  it('logs a Map and a Set by their entries, censoring secret Map keys', () => {
    const out = sanitize({
      map: new Map<unknown, unknown>([
        ['region', 'eu'],
        ['password', 'P'],
      ]),
      objectKeys: new Map([[{ id: 1 }, 'one']]),
      set: new Set([1, 'two', { three: 3 }]),
    }) as Loose;
    assert.deepEqual(out.map, { region: 'eu', password: REDACTED });
    assert.deepEqual(out.objectKeys, [[{ id: 1 }, 'one']]);
    assert.deepEqual(out.set, [1, 'two', { three: 3 }]);
  });

  it('summarizes a large Buffer instead of listing millions of numbers', () => {
    const out = sanitize({ small: Buffer.from('hi'), big: Buffer.alloc(10 * 1024 * 1024) }) as Loose;
    assert.deepEqual(out.small, { type: 'Buffer', data: [104, 105] });
    assert.equal(out.big, '[Buffer of 10485760 bytes]');
  });

  it('turns a Proxy whose traps throw into text, at the top and inside', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys trap');
        },
        getPrototypeOf() {
          throw new Error('prototype trap');
        },
        get() {
          throw new Error('get trap');
        },
      },
    );
    assert.match(JSON.stringify(sanitize(hostile as Loose)), /Unreadable/);
    assert.match(JSON.stringify(sanitize({ inner: hostile })), /"inner":"\[Unreadable: .*trap\]"/);
  });
});

describe('log call arguments', () => {
  it('a Symbol message becomes its string and keeps the message after it', () => {
    const one: unknown[] = [Symbol('s')];
    safeArguments(one, sanitize);
    assert.deepEqual(one, ['Symbol(s)']);
    const formatted: unknown[] = [Symbol('100%'), 'msg %s', 'y'];
    safeArguments(formatted, sanitize);
    assert.deepEqual(formatted, ['Symbol(100%%) msg %s', 'y']);
  });

  it('an Error first becomes { err } serialized, format arguments are sanitized', () => {
    const args: unknown[] = [new Error('boom'), 'user %j', { password: 'P' }];
    safeArguments(args, sanitize);
    assert.equal((args[0] as Loose).err.message, 'boom');
    assert.deepEqual(args[2], { password: REDACTED });
  });

  it('a flat clean first argument is passed on as a copy of what was checked', () => {
    const fields = { a: 1, b: 'x' };
    const args: unknown[] = [fields, 'hello world'];
    safeArguments(args, sanitize);
    assert.deepEqual(args[0], fields);
    assert.notEqual(args[0], fields, 'pino never reads the caller object after the check');
  });
});

describe('the line cap', () => {
  it('fits a line over the cap into valid JSON that keeps msg and says the original size', () => {
    const cap = capLineBytes(4096);
    const line = `${JSON.stringify({ level: 30, msg: 'big one', id: 7, blob: 'z'.repeat(50_000) })}\n`;
    const out = cap(line);
    assert.ok(out.endsWith('\n'));
    assert.ok(Buffer.byteLength(out) <= 4096);
    const parsed = JSON.parse(out) as Loose;
    assert.equal(parsed.msg, 'big one');
    assert.equal(parsed.id, 7);
    assert.equal(parsed.logferryTruncated.originalBytes, Buffer.byteLength(line) - 1);
    const short = '{"msg":"hi"}\n';
    assert.equal(cap(short), short);
  });

  it('a value cut once already keeps the size it had before the first cut', () => {
    const line = JSON.stringify({ msg: 'm', blob: `${'q'.repeat(20_000)}…[truncated by logferry: 52428800 bytes]` });
    const parsed = JSON.parse(fitMessage(line, 4096).message) as Loose;
    assert.match(parsed.blob, /^q+…\[truncated by logferry: 52428800 bytes\]$/);
    const refitted = JSON.parse(fitMessage(JSON.stringify(parsed), 2048).message) as Loose;
    assert.equal(refitted.logferryTruncated.originalBytes, parsed.logferryTruncated.originalBytes, 'a second fit keeps the first size');
  });

  it('fits a line of thousands of long values in one pass', () => {
    const record: Record<string, string> = { msg: 'many' };
    for (let i = 0; i < 5000; i++) record[`f${i}`] = 'v'.repeat(400);
    const started = process.hrtime.bigint();
    const { message } = fitMessage(JSON.stringify(record), 1024 * 1024);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(Buffer.byteLength(message) <= 1024 * 1024);
    assert.equal(JSON.parse(message).msg, 'many');
    assert.ok(ms < 5000, `took ${ms} ms`);
  });
});

describe('what logferry itself prints', () => {
  it('shows a key as a prefix and a length whatever type it came in', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    for (const given of [key, Buffer.from(key), new TextEncoder().encode(key)]) {
      const shown = describeSettingValue('BUGSNAG_API_KEY', given);
      assert.ok(!shown.includes(key.slice(0, 8)), shown);
      assert.match(shown, /32 characters/);
    }
    assert.equal(describeSecret('hunter2'), '"…" (7 characters)');
  });

  it('shows a URL without its userinfo or secret parameters', () => {
    assert.equal(safeNoticeText('at https://user:PW@host.example/x?token=T&a=1'), `at https://host.example/x?token=${REDACTED}&a=1`);
    assert.equal(describeSettingValue('cloudwatch.endpoint', Buffer.from('http://u:p@h/')), '"http://h/" (given as a Buffer)');
    assert.equal(censorUrlSecrets('plain text', isSecret), 'plain text');
  });

  it("a sink's last error, read by logStats(), never holds a URL's userinfo or signature", () => {
    const buffer = new SharedArrayBuffer(sharedBufferBytes());
    createSinkReporter(buffer, 'cloudwatch').error('request to https://admin:PW1@logs.example/?X-Amz-Signature=SIG1 failed');
    const shown = readLastError(viewSharedState(buffer), 'cloudwatch') ?? '';
    assert.ok(!shown.includes('PW1') && !shown.includes('SIG1'), shown);
    assert.match(shown, /https:\/\/logs\.example\/\?X-Amz-Signature=\[Redacted\] failed/);
  });
});
