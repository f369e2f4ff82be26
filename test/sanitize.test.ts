import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, REDACTED, redactKeyPatterns } from '../src/redact/secret-keys.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';

const sanitize = createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS));

describe('redaction at any depth, whatever the key style', () => {
  it('censors request and response headers, config objects, user objects', () => {
    const input = {
      req: { headers: { authorization: 'Bearer abc', Cookie: 'sid=1', 'x-api-key': 'k', accept: 'json' } },
      res: { headers: { 'set-cookie': ['a=b'] } },
      config: { awsSecretAccessKey: 'S', client_secret: 'c', apiKey: 'a', STRIPE_API_KEY: 's', region: 'eu-west-1' },
      user: { email: 'a@b.c', password: 'hunter2', profile: { nested: { deeper: { refreshToken: 't' } } } },
    };
    const out = sanitize(input) as typeof input;
    assert.equal(out.req.headers.authorization, REDACTED);
    assert.equal(out.req.headers.Cookie, REDACTED);
    assert.equal(out.req.headers['x-api-key'], REDACTED);
    assert.equal(out.req.headers.accept, 'json');
    assert.equal(out.res.headers['set-cookie'], REDACTED);
    assert.equal(out.config.awsSecretAccessKey, REDACTED);
    assert.equal(out.config.client_secret, REDACTED);
    assert.equal(out.config.apiKey, REDACTED);
    assert.equal(out.config.STRIPE_API_KEY, REDACTED);
    assert.equal(out.config.region, 'eu-west-1');
    assert.equal(out.user.password, REDACTED);
    assert.equal(out.user.profile.nested.deeper.refreshToken, REDACTED);
    assert.equal(out.user.email, 'a@b.c');
    assert.equal(input.user.password, 'hunter2', 'the caller object is never modified');
  });

  it("censors AWS access key ids and the values of secret headers in a request's rawHeaders list", () => {
    const rawHeaders = ['Host', 'api.example', 'Authorization', 'Bearer abc', 'x-amz-security-token', 'tok', 'Accept', 'json'];
    const out = sanitize({ req: { rawHeaders }, aws: { accessKeyId: 'AKIAEXAMPLE', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' } }) as {
      req: { rawHeaders: string[] };
      aws: Record<string, string>;
    };
    assert.deepEqual(out.req.rawHeaders, [
      'Host',
      'api.example',
      'Authorization',
      REDACTED,
      'x-amz-security-token',
      REDACTED,
      'Accept',
      'json',
    ]);
    assert.deepEqual(out.aws, { accessKeyId: REDACTED, AWS_ACCESS_KEY_ID: REDACTED });
    assert.equal(rawHeaders[3], 'Bearer abc', 'the caller list is never modified');
    const clean = ['Host', 'api.example'];
    assert.deepEqual((sanitize({ rawHeaders: clean }) as { rawHeaders: string[] }).rawHeaders, clean);
  });

  it("censors the enumerable properties of a logged error (an HTTP client's config.headers.Authorization)", () => {
    const error = Object.assign(new Error('Request failed with status code 401'), {
      config: { url: '/v1/orgs', headers: { Authorization: 'Bearer secret-token' } },
    });
    const out = sanitize({ err: error }) as { err: { type: string; message: string; config: { headers: { Authorization: string } } } };
    assert.equal(out.err.type, 'Error');
    assert.equal(out.err.message, 'Request failed with status code 401');
    assert.equal(out.err.config.headers.Authorization, REDACTED);
    assert.ok(!JSON.stringify(out).includes('secret-token'));
  });

  it('a nested object with nothing to censor comes back as an equal plain copy, the original untouched', () => {
    const clean = { a: 1, b: 'x', nested: { c: [1, 2, { d: true }] } };
    const out = sanitize(clean);
    assert.deepEqual(out, clean);
    assert.notEqual(out.nested, clean.nested, 'pino only ever sees data the walk made');
  });

  it('a flat object of plain values takes the quick check, and everything that needs work still gets it', () => {
    const flat = { a: 1, b: 'x', c: true, d: null, e: undefined, f: 10n };
    assert.deepEqual(sanitize(flat), flat);
    assert.notEqual(sanitize(flat), flat, 'a copy: what pino reads is what was checked');
    assert.equal(sanitize({ userId: 7, password: 'hunter2' }).password, REDACTED);
    assert.equal(sanitize({ tag: Symbol('s') }).tag, 'Symbol(s)');
    assert.deepEqual(sanitize({ toJSON: () => ({ token: 't', ok: 1 }) }), { token: REDACTED, ok: 1 });
    const throwing = Object.defineProperty({ a: 1 }, 'b', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    assert.match(String(sanitize(throwing).b), /no/);
    const error = Object.assign(new Error('boom'), { code: 'E1' });
    assert.equal((sanitize({ err: error }).err as { message: string }).message, 'boom');
    class Custom {
      apiKey = 'k';
    }
    assert.equal((sanitize({ value: new Custom() }).value as Custom).apiKey, REDACTED);
    assert.equal(sanitize(Object.assign(Object.create(null), { password: 'p' })).password, REDACTED);
  });

  it('the list can be extended and narrowed', () => {
    const custom = createSanitizer(createKeyMatcher([...DEFAULT_REDACT_KEYS.filter((k) => k !== 'token'), 'ssn']));
    const out = custom({ ssn: '123', pageToken: 'p', password: 'x' });
    assert.deepEqual(out, { ssn: REDACTED, pageToken: 'p', password: REDACTED });
  });

  it('a secret key is censored after a plain key of the same length and first letter, call after call', () => {
    const isSecretKey = createKeyMatcher(DEFAULT_REDACT_KEYS);
    for (let round = 0; round < 3; round++) {
      assert.equal(isSecretKey('passport'), false);
      assert.equal(isSecretKey('password'), true);
      assert.deepEqual(sanitize({ passport: 'p', password: 'x' }), { passport: 'p', password: REDACTED });
    }
  });

  it('a URL secret is censored in a message or field right after a clean string of the same length', () => {
    const secret = 'see https://h/?token=abcdef';
    const clean = 'x'.repeat(secret.length);
    const long = `${'y'.repeat(200)} https://u:p@h/?access_token=abc`;
    for (let round = 0; round < 3; round++) {
      assert.equal(sanitize.text(clean), clean);
      assert.equal(sanitize.text(secret), `see https://h/?token=${REDACTED}`);
      assert.deepEqual(sanitize({ note: clean }), { note: clean });
      assert.deepEqual(sanitize({ note: secret }), { note: `see https://h/?token=${REDACTED}` });
      assert.equal(sanitize.text(long), `${'y'.repeat(200)} https://${REDACTED}@h/?access_token=${REDACTED}`);
    }
  });

  it('the same names become Bugsnag redactedKeys patterns matching every style', () => {
    const patterns = redactKeyPatterns(['apikey']).map((source) => new RegExp(source, 'i'));
    for (const key of ['apiKey', 'api_key', 'x-api-key', 'API_KEY'])
      assert.ok(
        patterns.some((p) => p.test(key)),
        key,
      );
    assert.ok(!patterns.some((p) => p.test('apiKeyId')));
  });
});

describe('errors', () => {
  it('keeps type, message, stack, code and a cause chain as separate errors', () => {
    const root = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    const mid = new Error('write failed', { cause: root });
    const top = new TypeError('save failed', { cause: mid });
    const out = sanitize({ err: top }).err as Record<string, any>;
    assert.equal(out.type, 'TypeError');
    assert.match(out.stack, /^TypeError: save failed/);
    assert.equal(out.cause.message, 'write failed');
    assert.equal(out.cause.cause.code, 'ENOSPC');
  });

  it('serializes AggregateError members and survives cause cycles', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const out = sanitize({ err: new AggregateError([a, new RangeError('r')], 'many') }).err as Record<string, any>;
    assert.equal(out.type, 'AggregateError');
    assert.equal(out.errors.length, 2);
    assert.equal(out.errors[0].cause.message, 'b');
    assert.equal(out.errors[0].cause.cause, '[Circular cause]');
    assert.equal(out.errors[1].type, 'RangeError');
  });

  it('an Error nested anywhere is serialized, not flattened to {}', () => {
    const out = sanitize({ result: { failure: new SyntaxError('bad json') } }) as Record<string, any>;
    assert.equal(out.result.failure.message, 'bad json');
  });
});

describe('hostile input becomes text instead of a throw or a silent drop', () => {
  it('throwing getters, throwing toJSON, symbols, null prototypes, __proto__ keys', () => {
    const hostile = Object.create(null) as Record<string, unknown>;
    Object.defineProperty(hostile, 'boom', {
      enumerable: true,
      get: () => {
        throw new Error('getter exploded');
      },
    });
    hostile.json = {
      toJSON: () => {
        throw new Error('toJSON exploded');
      },
    };
    hostile.sym = Symbol('tag');
    const parsed = JSON.parse('{"__proto__": {"polluted": true}}');
    hostile.proto = parsed;
    const out = sanitize(hostile);
    assert.equal(out.boom, '[Unreadable: getter exploded]');
    assert.equal(out.json, '[toJSON threw: toJSON exploded]');
    assert.equal(out.sym, 'Symbol(tag)');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.match(JSON.stringify(out), /"__proto__":\{"polluted":true\}/);
  });
});
