import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BreadcrumbRing } from '../transports/bugsnag/breadcrumbs.js';
import { buildEvent, stripFileUrls } from '../transports/bugsnag/event.js';
import { rebuildError } from '../transports/bugsnag/notifier.js';
import { GroupRateLimiter } from '../transports/bugsnag/rate-limit.js';
import { MAX_REQUEST_RINGS, RequestBreadcrumbs, requestIdOfLine } from '../transports/bugsnag/request-breadcrumbs.js';
import { applyRules, compileRules } from '../transports/bugsnag/rules.js';

const errorLine = (extra: Record<string, unknown> = {}) => ({
  level: 50,
  time: 1,
  msg: 'failed',
  module: 'api',
  err: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at run (file:///srv/app/index.mjs:3:9)', code: 'E1' },
  ...extra,
});

describe('pino line to Bugsnag event', () => {
  it('maps levels to severities and marks unhandled lines', () => {
    assert.equal(buildEvent({ level: 40, msg: 'w' }).severity, 'warning');
    assert.equal(buildEvent({ level: 60, msg: 'f' }).severity, 'error');
    const crash = buildEvent(errorLine({ level: 60, unhandled: 'unhandledRejection' }));
    assert.equal(crash.unhandled, true);
    assert.deepEqual(crash.severityReason, { type: 'unhandledPromiseRejection' });
  });

  it('puts the other fields in a log tab and the error properties in an error tab', () => {
    const event = buildEvent(errorLine({ orderId: 'o-1', userEmail: 'a@b.c' }));
    assert.deepEqual(event.metadata.log, { module: 'api', orderId: 'o-1', userEmail: 'a@b.c', msg: 'failed' });
    assert.deepEqual(event.metadata.error, { code: 'E1' });
    assert.deepEqual(event.user, { email: 'a@b.c' });
    assert.equal(event.context, 'api');
  });

  it('rebuilds the original error, causes included, with file:// stripped for in-project detection', () => {
    const rebuilt = rebuildError({
      type: 'TypeError',
      message: 'bad',
      stack: 'TypeError: bad\n    at run (file:///srv/app/index.mjs:3:9)',
      cause: { type: 'Error', message: 'root' },
    });
    assert.equal(rebuilt.name, 'TypeError');
    assert.equal(rebuilt.stack, 'TypeError: bad\n    at run (/srv/app/index.mjs:3:9)');
    assert.equal((rebuilt.cause as Error).message, 'root');
    assert.equal(stripFileUrls('at x (file:///a/b.js:1:1)'), 'at x (/a/b.js:1:1)');
  });
});

describe('rules', () => {
  const rules = compileRules([
    { errorClass: 'TypeError', severity: 'info', unhandled: false },
    { messageMatches: '^noise', ignore: true },
  ]);
  it('the first match wins; ignore drops; severity changes carry the matching reason', () => {
    const changed = applyRules(rules, buildEvent(errorLine({ unhandled: 'uncaughtException' })));
    assert.equal(changed?.severity, 'info');
    assert.equal(changed?.unhandled, false);
    assert.equal(changed?.severityReason.type, 'userSpecifiedSeverity');
    assert.equal(applyRules(rules, buildEvent({ level: 50, msg: 'noise from a health check' })), undefined);
  });
});

describe('breadcrumbs and rate limits', () => {
  it('keeps the last N lines, oldest first', () => {
    const ring = new BreadcrumbRing(3);
    for (let i = 0; i < 5; i++) ring.add(JSON.stringify({ level: 30, time: i, msg: `line ${i}`, step: i }));
    assert.deepEqual(
      ring.snapshot().map((crumb) => crumb.message),
      ['line 2', 'line 3', 'line 4'],
    );
    assert.equal(ring.snapshot()[0]?.metadata.step, 2);
  });

  // @bugsnag/plugin-express "Breadcrumbs from one request do not appear in another".
  it('keeps breadcrumbs per request: a request sees its own lines and those outside any request, in order', () => {
    const store = new RequestBreadcrumbs(4);
    const line = (msg: string, requestId?: string) => JSON.stringify({ level: 30, time: 1, ...(requestId ? { requestId } : {}), msg });
    store.add(line('startup'));
    store.add(line('a1', 'A'));
    store.add(line('b1', 'B'));
    store.add(line('shared'));
    store.add(line('a2', 'A'));
    assert.deepEqual(
      store.snapshot('A').map((crumb) => crumb.message),
      ['startup', 'a1', 'shared', 'a2'],
    );
    assert.deepEqual(
      store.snapshot('B').map((crumb) => crumb.message),
      ['startup', 'b1', 'shared'],
    );
    assert.deepEqual(
      store.snapshot(undefined).map((crumb) => crumb.message),
      ['startup', 'shared'],
    );
    store.end('A');
    assert.deepEqual(
      store.snapshot('A').map((crumb) => crumb.message),
      ['startup', 'shared'],
    );
    for (let i = 0; i < MAX_REQUEST_RINGS + 10; i++) store.add(line('x', `r${i}`));
    assert.equal(store.requestsHeld, MAX_REQUEST_RINGS, 'requests that never end are bounded');
  });

  it("reads a line's requestId without parsing it, escapes included", () => {
    assert.equal(requestIdOfLine('{"level":30,"requestId":"abc-1","msg":"x"}'), 'abc-1');
    assert.equal(requestIdOfLine(JSON.stringify({ level: 30, requestId: 'q"uo\\te' })), 'q"uo\\te');
    assert.equal(requestIdOfLine('{"level":30,"msg":"x"}'), undefined);
  });

  it('lets N of a group through a minute, counts the rest, reports them on the next one sent', () => {
    const limiter = new GroupRateLimiter(2);
    const verdicts = [0, 1, 2, 3].map(() => limiter.admit('k', 1000).send);
    assert.deepEqual(verdicts, [true, true, false, false]);
    assert.deepEqual(limiter.admit('k', 61_001), { send: true, suppressedBefore: 2 });
    assert.equal(limiter.admit('other', 1000).send, true);
  });
});
