import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type pino from 'pino';
import { buildRequestTab, censorQuery } from '../src/context/request-scope.js';
import { describeThrown } from '../src/lifecycle/exit.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, REDACTED } from '../src/redact/secret-keys.js';
import { censorUrlSecrets } from '../src/redact/text-secrets.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';
import { guardedLogger, into } from './support/guarded-logger.js';

const isSecret = createKeyMatcher(DEFAULT_REDACT_KEYS);
const sanitize = createSanitizer(isSecret);

/** A pino logger built as the root is (guarded level methods and all), writing into `lines`. */
const logInto = (lines: string[], extra: pino.LoggerOptions = {}) => guardedLogger(sanitize, into(lines), extra);

// Findings of the adversarial security probe (issue #12): each test fails on the code before its fix.

describe('a thrown non-error is described without its secrets', () => {
  it('censors secret keys and URL userinfo in the description', () => {
    const text = describeThrown(
      {
        apiKey: 'SECRET_nonerr',
        config: { headers: { Authorization: 'Bearer SECRET_nonerr2' } },
        url: 'https://u:SECRET_nonerr3@h.example/',
      },
      DEFAULT_REDACT_KEYS,
    );
    assert.doesNotMatch(text, /SECRET_/);
    assert.match(text, /apiKey/);
    assert.match(text, /h\.example/);
  });
  it('a thrown string keeps its text, URL secrets censored', () => {
    assert.equal(
      describeThrown('boom at https://h.example/?token=SECRET_s', DEFAULT_REDACT_KEYS),
      'boom at https://h.example/?token=[Redacted]',
    );
  });
});

describe('the Bugsnag request tab censors URL userinfo', () => {
  it('in the url (also a URL inside the query) and in the referer', () => {
    const req = {
      method: 'GET',
      url: '/cb?next=https://u:SECRET_q1@h.example/x',
      headers: { host: 'svc.example', referer: 'https://u:SECRET_h5@ref.example/?token=SECRET_h6' },
      socket: {},
    } as unknown as IncomingMessage;
    const tab = buildRequestTab(
      { req, startedAt: 0, framework: 'Express/Connect', clientIp: () => undefined, inSession: false },
      sanitize,
      isSecret,
    );
    assert.doesNotMatch(JSON.stringify(tab), /SECRET_/);
    assert.match(tab.url, /h\.example\/x$/);
  });
});

describe('secret names the list missed', () => {
  it('plurals, short forms and vendor headers are censored as keys', () => {
    const keys = ['cookies', 'passwords', 'tokens', 'secrets', 'credential', 'apiKeys', 'pwd', 'jwt', 'auth', 'bearer', 'privateKeyPem'];
    const headers = ['Ocp-Apim-Subscription-Key', 'Authentication', 'X-Amz-Credential'];
    for (const key of [...keys, ...headers]) assert.equal(isSecret(key), true, key);
    const out = sanitize(Object.fromEntries([...keys, ...headers].map((key) => [key, { v: 'SECRET_k' }])));
    assert.doesNotMatch(JSON.stringify(out), /SECRET_/);
  });
  it('code and sig are censored as query parameters only, never as field keys', () => {
    assert.equal(isSecret('code'), false);
    assert.deepEqual(sanitize({ err: { code: 'ECONNRESET' }, n: 1 }), { err: { code: 'ECONNRESET' }, n: 1 });
    assert.equal(censorUrlSecrets('https://h.example/cb?code=SECRET_c&state=1', isSecret), `https://h.example/cb?code=${REDACTED}&state=1`);
    assert.equal(censorQuery('/blob?sv=1&sig=SECRET_s', isSecret), `/blob?sv=1&sig=${REDACTED}`);
    assert.equal(censorUrlSecrets('?zipcode=12345', isSecret), '?zipcode=12345');
  });
});

describe('session names and disguised keys', () => {
  it('session query parameters are censored; the field names that hold sessions are censored as fields too', () => {
    const url =
      'https://h.example/cb?session=SECRET_s1&sid=SECRET_s2&PHPSESSID=SECRET_s3&connect.sid=SECRET_s4&sessionid=SECRET_s5&session_token=SECRET_s6&page=2';
    const censored = censorUrlSecrets(url, isSecret);
    assert.doesNotMatch(censored, /SECRET_/);
    assert.match(censored, /page=2$/);
    assert.equal(censorQuery('/x?SID=SECRET_s7&sort=asc', isSecret), `/x?SID=${REDACTED}&sort=asc`);
    for (const key of ['sessionId', 'session_token', 'PHPSESSID', 'connect.sid', 'sessid', 'sessionKey'])
      assert.equal(isSecret(key), true, key);
  });
  it('ordinary words stay: a session object, a Wi-Fi ssid, an error code, a ?sidebar= parameter', () => {
    for (const key of ['session', 'sid', 'ssid', 'code', 'sig', 'side', 'consider']) assert.equal(isSecret(key), false, key);
    const fields = { session: { id: 's-1', userId: 'u-1' }, ssid: 'cafe-wifi', err: { code: 'E1' } };
    assert.deepEqual(sanitize(fields), fields);
    assert.equal(censorUrlSecrets('/x?sidebar=left&sessions=3&code_style=x', isSecret), '/x?sidebar=left&sessions=3&code_style=x');
  });
  it('zero-width and format characters, and full-width look-alikes, do not hide a secret key', () => {
    const keys = [
      'pass\u200Bword',
      'api\u00ADkey',
      'to\u2060ken',
      '\uFEFFsecret',
      'pass\u200Dword',
      'ｐａｓｓｗｏｒｄ',
      'ＡＰＩ＿ＫＥＹ',
      'pass\u034Fword',
    ];
    for (const key of keys) assert.equal(isSecret(key), true, JSON.stringify(key));
    const out = sanitize(Object.fromEntries(keys.map((key, i) => [key, `SECRET_z${i}`])));
    assert.doesNotMatch(JSON.stringify(out), /SECRET_/);
    assert.equal(censorUrlSecrets('/x?pass%E2%80%8Bword=SECRET_zq&a=1', isSecret), `/x?pass%E2%80%8Bword=${REDACTED}&a=1`);
    assert.equal(isSecret('userName'), false);
  });
});

describe("a child's msgPrefix", () => {
  it('has URL secrets censored like the message', () => {
    const lines: string[] = [];
    logInto(lines).child({}, { msgPrefix: 'https://u:SECRET_prefix@h.example/?token=SECRET_prefixq ' }).info('x');
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0] ?? '', /SECRET_/);
    assert.match(lines[0] ?? '', /h\.example/);
  });
});

describe('header values outside object keys', () => {
  it("censors secret headers in a real ClientRequest's raw header block (_header), as an HTTP client error carries it", async () => {
    const server = createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const outgoing = request({
        port,
        host: '127.0.0.1',
        path: '/x',
        headers: { Authorization: 'Bearer SECRET_clientreq', 'X-Trace': 'keep' },
      });
      const answered = once(outgoing, 'response');
      outgoing.end();
      const [res] = (await answered) as [IncomingMessage];
      res.resume();
      const error = Object.assign(new Error('request failed'), { request: outgoing, response: { status: 500, request: outgoing } });
      const line = JSON.stringify(sanitize.value(error));
      assert.doesNotMatch(line, /SECRET_clientreq/);
      assert.match(line, /X-Trace: keep/);
      assert.match(line, /Authorization: \[Redacted\]/);
      await once(res, 'end');
    } finally {
      server.close();
    }
  });
  it('censors [name, value] pairs whose name is a secret key: Object.entries(headers), a Map with object keys', () => {
    const pairs = Object.entries({ authorization: 'SECRET_pairs', accept: 'json' });
    const map = new Map<unknown, unknown>([
      [{ id: 1 }, 'x'],
      ['password', 'SECRET_map2'],
    ]);
    const out = JSON.stringify(sanitize({ pairs, map }));
    assert.doesNotMatch(out, /SECRET_/);
    assert.match(out, /\["accept","json"\]/);
    assert.match(out, /\["password","\[Redacted\]"\]/);
  });
});

describe("an error's properties and members spend the walk's budget", () => {
  it('an AggregateError of 50,000 members is cut at the value budget with a marker', () => {
    const error = new AggregateError(
      Array.from({ length: 50_000 }, (_, i) => ({ i })),
      'many',
    );
    const out = sanitize.value(error) as { errors: unknown[] };
    assert.ok(out.errors.length <= 20_001, `kept ${out.errors.length}`);
    assert.match(String(out.errors.at(-1)), /Cut by logferry: \d+ more items/);
  });
  it('an Error with 100,000 own properties is cut with a marker, and the line says it was cut', () => {
    const error = Object.assign(new Error('wide'), Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])));
    const out = sanitize({ err: error }) as { err: Record<string, unknown>; logferryCut?: unknown };
    assert.ok(Object.keys(out.err).length <= 20_010, `kept ${Object.keys(out.err).length}`);
    assert.match(String(out.err['[logferry]']), /Cut by logferry: \d+ more keys/);
    assert.ok(out.logferryCut !== undefined);
  });
});

describe('format arguments never run app code inside pino', () => {
  it('an object whose own toString throws is logged, not thrown out of the call', () => {
    const lines: string[] = [];
    const log = logInto(lines);
    log.info('%s', {
      toString() {
        throw new Error('ts');
      },
    });
    const fn = Object.assign(() => 1, {
      toString() {
        throw new Error('fn');
      },
    });
    log.info('v=%s', fn);
    const error = Object.assign(new Error('e'), {
      toString() {
        throw new Error('err');
      },
    });
    log.info('e=%s', error);
    assert.equal(lines.length, 3);
  });
  it('an own toString returning a secret URL never reaches the line', () => {
    const lines: string[] = [];
    logInto(lines).info('v=%s', { toString: () => 'https://u:SECRET_tostr@h.example' });
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0] ?? '', /SECRET_/);
  });
});

describe('URL secrets the text rules missed', () => {
  it('censors secret parameters in a URL fragment', () => {
    assert.equal(
      censorUrlSecrets('https://h.example/cb#access_token=SECRET_frag&state=1', isSecret),
      `https://h.example/cb#access_token=${REDACTED}&state=1`,
    );
  });
  it('censors bracketed and escaped secret query keys in any logged text, as the request adapters do', () => {
    for (const [url, kept] of [
      ['https://h.example/x?password[]=S1', 'https://h.example/x?password[]='],
      ['https://h.example/x?user[password][]=S2&a=1', 'https://h.example/x?user[password][]='],
      ['https://h.example/x?api_key[0]=S3', 'https://h.example/x?api_key[0]='],
      ['https://h.example/x?user%5Bpassword%5D=S4', 'https://h.example/x?user%5Bpassword%5D='],
    ] as const) {
      const censored = censorUrlSecrets(url, isSecret);
      assert.ok(censored.startsWith(`${kept}${REDACTED}`) && !/S\d/.test(censored), censored);
    }
    assert.equal(
      censorUrlSecrets('https://h.example/x?items[0]=a&sort[field]=name', isSecret),
      'https://h.example/x?items[0]=a&sort[field]=name',
    );
  });
  it('censors userinfo up to its last @ (a password holding @)', () => {
    assert.equal(censorUrlSecrets('postgres://user:p@SECRET_atpass@db.example/x', isSecret), `postgres://${REDACTED}@db.example/x`);
    assert.equal(censorUrlSecrets('see https://h.example/a?u=a@b.example', isSecret), 'see https://h.example/a?u=a@b.example');
  });
  it('censors protocol-relative and scheme-less userinfo, and leaves e-mail addresses', () => {
    assert.equal(censorUrlSecrets('//u:SECRET_pr1@h.example/x', isSecret), `//${REDACTED}@h.example/x`);
    assert.equal(censorUrlSecrets('redis u:SECRET_pr2@h.example:6379', isSecret), `redis ${REDACTED}@h.example:6379`);
    assert.equal(censorUrlSecrets('u:SECRET_cfg4b@h.example/x', isSecret), `${REDACTED}@h.example/x`);
    assert.equal(censorUrlSecrets('mail ada@h.example: sent', isSecret), 'mail ada@h.example: sent');
    const out = sanitize({ a: '//u:SECRET_pr1@h.example/x', email: 'ada@h.example' });
    assert.doesNotMatch(JSON.stringify(out), /SECRET_/);
    assert.equal(out.email, 'ada@h.example');
  });
});

describe('smaller paths', () => {
  it('an own toJSON on an Error, a cause or a Map is never copied to run at serialization', () => {
    const toJSON = () => ({ password: 'SECRET_errtj' });
    const error = Object.assign(new Error('tj'), { toJSON });
    const out = sanitize({
      err: error,
      wrapped: new Error('outer', { cause: Object.assign(new Error('inner'), { toJSON }) }),
      map: new Map([['toJSON', toJSON]]),
    });
    assert.doesNotMatch(JSON.stringify(out), /SECRET_/);
  });
  it('a string cut by the text budget is censored before the cut', () => {
    const small = createSanitizer(isSecret, { maxValues: 20_000, maxDepth: 32, maxTextChars: 2048, maxStringChars: 1024 });
    const wide = createSanitizer(isSecret, { maxValues: 20_000, maxDepth: 32, maxTextChars: 2048, maxStringChars: 4096 });
    const out = wide({ a: 'x'.repeat(2021), b: 'https://user:SECRET_budgetpw@h.example/' }) as { b: string };
    assert.doesNotMatch(JSON.stringify(out), /SECRET_bud/);
    const long = small.value(`${'y'.repeat(999)} https://user:SECRET_longpw@h.example/`);
    assert.doesNotMatch(String(long), /SECRET_lon/);
  });
  it("an error's name is censored like its message", () => {
    const error = Object.assign(new Error('n'), { name: 'Failed https://u:SECRET_name@h.example' });
    assert.doesNotMatch(JSON.stringify(sanitize.value(error)), /SECRET_/);
  });
});
