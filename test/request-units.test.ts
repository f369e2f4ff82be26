import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { censorQuery } from '../src/context/request-scope.js';
import { loadActiveTraceReader } from '../src/context/trace-ids.js';
import { currentXrayTraceId, xrayRootOf } from '../src/context/xray.js';
import { parseLevelSpec } from '../src/levels/level-spec.js';
import { formatLevelSpec } from '../src/levels/logger-levels.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS } from '../src/redact/secret-keys.js';
import type { SinkReporter } from '../src/wire/sink-reporter.js';
import type { SendOutcome, SessionCount } from '../transports/bugsnag/notifier.js';
import { SessionTracker } from '../transports/bugsnag/session-tracker.js';

const isSecret = createKeyMatcher(DEFAULT_REDACT_KEYS);

describe('secret query parameters', () => {
  it('values of secret keys are censored, by the same rules as fields, and nothing else changes', () => {
    assert.equal(censorQuery('/a?token=x&page=2', isSecret), '/a?token=[Redacted]&page=2');
    assert.equal(
      censorQuery('/a?api_key=x&API-KEY=y&access_token=z', isSecret),
      '/a?api_key=[Redacted]&API-KEY=[Redacted]&access_token=[Redacted]',
    );
    assert.equal(censorQuery('/a?user%5Bpassword%5D=x&user[name]=ada', isSecret), '/a?user%5Bpassword%5D=[Redacted]&user[name]=ada');
    assert.equal(censorQuery('/a?client_secret=x#frag', isSecret), '/a?client_secret=[Redacted]#frag');
    assert.equal(censorQuery('/a?%E0%A4%A=1&q=a+b', isSecret), '/a?%E0%A4%A=1&q=a+b', 'a malformed escape is kept, not thrown');
    assert.equal(censorQuery('/orders/7', isSecret), '/orders/7');
  });

  it('array and index keys are judged by their names: password[], user[password][], api_key[0], token[]', () => {
    assert.equal(
      censorQuery('/login?password[]=B&user[password][]=C&api_key[0]=D&token[]=E&ids[]=1&user[name]=ada', isSecret),
      '/login?password[]=[Redacted]&user[password][]=[Redacted]&api_key[0]=[Redacted]&token[]=[Redacted]&ids[]=1&user[name]=ada',
    );
    assert.equal(
      censorQuery('/login?user%5Bpassword%5D%5B%5D=C&password%5B0%5D=D&a[0][secret]=F', isSecret),
      '/login?user%5Bpassword%5D%5B%5D=[Redacted]&password%5B0%5D=[Redacted]&a[0][secret]=[Redacted]',
    );
    // As with fields, a secret name anywhere on the path censors what is under it.
    assert.equal(censorQuery('/a?password[new]=G&session[id]=7', isSecret), '/a?password[new]=[Redacted]&session[id]=7');
  });
});

describe('trace ids', () => {
  it('X-Ray: the Root of the header, and none without one', () => {
    assert.equal(
      xrayRootOf('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'),
      '1-5759e988-bd862e3fe1be46a994272793',
    );
    assert.equal(xrayRootOf('Parent=53995c3f42cd8ad8;Root=1-a-b'), '1-a-b');
    assert.equal(xrayRootOf('Parent=53995c3f42cd8ad8'), undefined);
    assert.equal(xrayRootOf(undefined), undefined);
    assert.equal(currentXrayTraceId({ _X_AMZN_TRACE_ID: 'Root=1-c-d' }), '1-c-d');
    assert.equal(currentXrayTraceId({}), undefined);
  });

  it('OpenTelemetry absent: no reader, so lines pay nothing', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    };
    assert.equal(loadActiveTraceReader(missing), undefined);
    assert.equal(
      loadActiveTraceReader(() => ({})),
      undefined,
      'something else under that name is not used',
    );
  });
});

describe('setLogLevel syntax', () => {
  it('a spec written back reads the same', () => {
    const spec = parseLevelSpec('x', 'warn,db=debug,db/pool=trace');
    assert.equal(formatLevelSpec({ ...spec, root: 'warn' }), 'warn,db/pool=trace,db=debug');
  });
});

function fakeReporter(): SinkReporter & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    add: () => undefined,
    set: () => undefined,
    acknowledge: () => undefined,
    error: (message) => errors.push(message),
    reportOnce: () => undefined,
    exitDeadline: () => 0,
  };
}

describe('Bugsnag session counts (worker side)', () => {
  it('counts since the last read are sent per minute; a failed send keeps them for the next one', async () => {
    const buffer = new SharedArrayBuffer(4);
    const counter = new Int32Array(buffer);
    const sent: SessionCount[][] = [];
    let failures = 3;
    const send = async (counts: SessionCount[]): Promise<SendOutcome> => {
      if (failures-- > 0) return { ok: false, retryable: true, reason: '503', unanswered: false };
      sent.push(counts);
      return { ok: true };
    };
    const tracker = new SessionTracker(buffer, send, fakeReporter(), 1000);
    Atomics.add(counter, 0, 5);
    await tracker.flush();
    assert.equal(sent.length, 0, 'three failed attempts: nothing accepted yet');
    Atomics.add(counter, 0, 2);
    await tracker.flush();
    await tracker.flush();
    const total = sent.flat().reduce((sum, count) => sum + count.sessionsStarted, 0);
    assert.equal(total, 7, JSON.stringify(sent));
    for (const count of sent.flat()) assert.equal(Date.parse(count.startedAt) % 60_000, 0);
    await tracker.close(100);
  });

  it('events count against their own session, handled and unhandled apart', async () => {
    const tracker = new SessionTracker(new SharedArrayBuffer(4), async () => ({ ok: true }), fakeReporter(), 1000);
    assert.deepEqual(tracker.countEvent('a', false), { handled: 1, unhandled: 0 });
    assert.deepEqual(tracker.countEvent('a', true), { handled: 1, unhandled: 1 });
    assert.deepEqual(tracker.countEvent('b', true), { handled: 0, unhandled: 1 });
    await tracker.close(10);
  });
});
