import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { jsonLines } from './support/run-fixture.js';
import { type RunningService, startService } from './support/service-process.js';

// The peers' own request-logging cases, ported: pino-http (test/test.js), @bugsnag/plugin-express
// (test/node/features/express.feature, express_auto_sessions.feature), run on real Express 5,
// Fastify 5 and node:http servers in a child process (test/fixtures/request-peers-app.ts) that
// report to the real @bugsnag/js notifier against the local receiver.

type Line = Record<string, unknown>;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; requestId: string | null; body: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.text() };
}

const completions = (lines: Line[]) => lines.filter((line) => line.requestCompleted === true);

async function serve(kind: string, receiver: LocalBugsnag): Promise<RunningService> {
  return startService('request-peers-app', [kind], { ...bugsnagEnv(receiver), LOG_LEVEL: 'info', LOG_LEVEL_CONSOLE: 'trace' });
}

for (const kind of ['express', 'fastify']) {
  describe(`peer cases on ${kind}`, () => {
    // @bugsnag/plugin-express express_auto_sessions.feature: the same failure on two requests is two events.
    it('one Error object thrown by several requests (a constant, a cached rejected promise) is reported once per request', async () => {
      const receiver = await new LocalBugsnag().start();
      try {
        const service = await serve(kind, receiver);
        const responses = [];
        for (let i = 0; i < 3; i++) responses.push(await get(`${service.url}/same-error?n=${i}`));
        for (let i = 0; i < 2; i++) responses.push(await get(`${service.url}/cached-rejection?n=${i}`));
        const run = await service.stop('SIGTERM');
        const lines = jsonLines(run.stdout);
        for (const response of responses) assert.equal(response.status, 500);
        assert.deepEqual(receiver.problems, []);
        const shared = receiver.events.filter((event) => event.exceptions[0]?.message === 'shared failure');
        assert.equal(shared.length, 3, 'the module-level error is reported for each request that threw it');
        assert.deepEqual(shared.map((event) => new URL(String(event.request?.url)).search).sort(), ['?n=0', '?n=1', '?n=2']);
        const cached = receiver.events.filter((event) => event.exceptions[0]?.message === 'cached rejection');
        assert.equal(cached.length, 2, 'the cached rejection is reported for each request that awaited it');
        for (const response of responses) {
          const failed = lines.filter((line) => line.msg === 'request handler failed' && line.requestId === response.requestId);
          assert.equal(failed.length, 1, `one error line for request ${response.requestId}`);
        }
        // bugsnag-js sessions: every request served is a session, the first one (before any logger existed) included.
        assert.equal(receiver.sessionsStarted, 5);
        for (const event of [...shared, ...cached]) assert.deepEqual(event.session?.events, { handled: 0, unhandled: 1 });
      } finally {
        await receiver.stop();
      }
    });
  });
}

describe('peer cases on Express', () => {
  // @bugsnag/plugin-express express.feature "Breadcrumbs from one request do not appear in another".
  it('breadcrumbs from one request do not appear in another, even while both are in flight', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('express', receiver);
      const a = get(`${service.url}/breadcrumbs_a`);
      // B starts once A has logged its line: A's request is still open when B's event is made.
      const b = get(`${service.url}/breadcrumbs_b`);
      await Promise.all([a, b]);
      await service.stop('SIGTERM');
      const eventA = receiver.events.find((event) => event.exceptions[0]?.message === 'failure in A');
      const eventB = receiver.events.find((event) => event.exceptions[0]?.message === 'failure in B');
      const names = (event: typeof eventA) => (event?.breadcrumbs ?? []).map((crumb) => crumb.name);
      assert.ok(names(eventA).includes('For the first URL'), names(eventA).join(', '));
      assert.ok(!names(eventA).includes('For the second URL'), 'B reached A');
      assert.ok(names(eventB).includes('For the second URL'), names(eventB).join(', '));
      assert.ok(!names(eventB).includes('For the first URL'), "A's line rode on B's event");
      assert.ok(!JSON.stringify(eventB).includes('a-data'), "A's data rode on B's event");
    } finally {
      await receiver.stop();
    }
  });

  it('a withLogContext opened before authentication leaves route and user live: lines and the event carry both', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('express', receiver);
      const response = await get(`${service.url}/tenant/42`, { 'x-tenant': 't-1', 'x-user': 'u-7' });
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout).filter((line) => line.requestId === response.requestId);
      const order = lines.find((line) => line.msg === 'tenant order');
      assert.equal(order?.tenant, 't-1');
      assert.equal(order?.route, '/tenant/:id');
      assert.equal(order?.userId, 'u-7');
      const event = receiver.events.find((e) => e.exceptions[0]?.message === 'tenant order failed');
      assert.equal(event?.context, '/tenant/:id');
      assert.equal(event?.user?.id, 'u-7');
      assert.equal(completions(lines)[0]?.userId, 'u-7');
    } finally {
      await receiver.stop();
    }
  });

  // Bugsnag's runInContext: a callback that lost the request's context gets it back.
  it('runInRequestContext gives a callback that lost the context its request back', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('express', receiver);
      const response = await get(`${service.url}/lost-context`);
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout);
      assert.equal(lines.find((line) => line.msg === 'in a callback that lost the context')?.requestId, undefined);
      assert.equal(lines.find((line) => line.msg === 'in a callback given its context back')?.requestId, response.requestId);
    } finally {
      await receiver.stop();
    }
  });

  // pino-http "internal pino logger not shared between multiple middleware", the other way round:
  // two instances on one request join it, as pino-http's second instance reuses req.id.
  it('a mounted sub-app with its own requestLogging() joins the request: one id, one completion line, one session', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('express', receiver);
      const response = await get(`${service.url}/sub/item`);
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout);
      assert.equal(JSON.parse(response.body).id, response.requestId, 'req.id is the request id');
      assert.equal(lines.find((line) => line.msg === 'inside the sub-app')?.requestId, response.requestId);
      assert.equal(completions(lines).length, 1);
      assert.equal(completions(lines)[0]?.requestId, response.requestId);
      assert.equal(receiver.sessionsStarted, 1);
    } finally {
      await receiver.stop();
    }
  });
});

describe('peer cases on Fastify', () => {
  // Fastify's Hooks reference: onError runs before the error handler set by setErrorHandler, so
  // the status that handler picks, not the error's own statusCode, says whether it was the server's fault.
  it("an error the app's setErrorHandler maps to a 4xx is not reported; one it maps to a 5xx is, once", async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('fastify', receiver);
      const client = await get(`${service.url}/mapped-4xx`);
      const server = await get(`${service.url}/mapped-5xx`);
      const run = await service.stop('SIGTERM');
      assert.equal(client.status, 422);
      assert.equal(server.status, 503);
      const messages = receiver.events.map((event) => event.exceptions[0]?.message);
      assert.ok(!messages.includes('bad input mapped to 422'), 'an error answered 422 reached Bugsnag');
      assert.equal(messages.filter((message) => message === 'client-looking error mapped to 503').length, 1);
      const lines = jsonLines(run.stdout);
      const order = lines.filter((line) => line.requestId === server.requestId).map((line) => line.msg);
      assert.deepEqual(order, ['request handler failed', 'request completed'], 'the error line comes before the completion line');
    } finally {
      await receiver.stop();
    }
  });
});

describe("Fastify's own ids and logger", () => {
  // Fastify test/request-id.test.js and test/logger: request.id from requestIdHeader or genReqId;
  // loggerInstance; a 4xx error's message logged at info.
  it("lines carry Fastify's request.id (requestIdHeader, genReqId); Fastify logs through createLogger; a 4xx error is an info line", async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('fastify-ids', receiver);
      const fromHeader = await get(`${service.url}/hello`, { 'x-correlation-id': 'corr-77' });
      const generated = await get(`${service.url}/hello`);
      const bad = await get(`${service.url}/bad-request`);
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout);
      assert.equal(fromHeader.requestId, 'corr-77');
      assert.equal(JSON.parse(fromHeader.body).id, 'corr-77');
      assert.match(String(generated.requestId), /^fid-\d+$/);
      assert.equal(JSON.parse(generated.body).id, generated.requestId);
      for (const response of [fromHeader, generated]) {
        assert.equal(lines.find((line) => line.msg === 'hello from the handler' && line.requestId === response.requestId)?.module, 'peers');
        // Fastify's own lines, through the logger it was given: its reqId is the same id.
        assert.ok(lines.some((line) => line.module === 'fastify' && line.reqId === response.requestId && line.msg === 'incoming request'));
      }
      const badLine = lines.find((line) => line.msg === 'the body was not what was asked for' && line.module === 'http');
      assert.equal(badLine?.level, 30, "a 4xx error's message is logged at info");
      assert.equal(badLine?.requestId, bad.requestId);
      assert.equal(bad.status, 400);
      assert.ok(!receiver.events.some((event) => event.exceptions[0]?.message === 'the body was not what was asked for'));
    } finally {
      await receiver.stop();
    }
  });
});

describe('peer cases on node:http (pino-http test/test.js)', () => {
  it('"reuses existing req.id if present", "uses a custom genReqId function", "log requests aborted on the server"', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('http', receiver);
      const reused = await get(`${service.url}/reuse-id`);
      const generated = await get(`${service.url}/gen`);
      const first = await get(`${service.url}/plain`);
      const second = await get(`${service.url}/plain`);
      await fetch(`${service.url}/destroy`).catch(() => undefined);
      const missing = await get(`${service.url}/missing`);
      const conflict = await get(`${service.url}/conflict`);
      const errored = await get(`${service.url}/errored`);
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout);
      const done = completions(lines);

      assert.equal(reused.requestId, 'id-to-reuse-12345');
      assert.equal(lines.find((line) => line.msg === 'handled' && line.requestId === 'id-to-reuse-12345')?.requestId, 'id-to-reuse-12345');
      assert.equal(generated.requestId, 'gen-4-function', 'genReqId gets the request and the response');
      assert.equal(JSON.parse(generated.body).id, 'gen-4-function', 'req.id is set, as pino-http sets it');
      // "allocate a unique id to every request"
      assert.notEqual(first.requestId, second.requestId);
      // Two instances on each request (the fixture nests them): still one completion line a request.
      assert.equal(done.filter((line) => ['/reuse-id', '/gen', '/plain', '/destroy'].includes(String(line.url))).length, 5);
      assert.deepEqual(
        done.filter((line) => ['/reuse-id', '/gen', '/plain'].includes(String(line.url))).map((line) => line.msg),
        ['request completed', 'request completed', 'request completed', 'request completed'],
      );
      const destroyed = done.find((line) => line.url === '/destroy');
      assert.equal(destroyed?.msg, 'request aborted');
      assert.equal(destroyed?.aborted, true);
      assert.equal(typeof destroyed?.durationMs, 'number');
      assert.equal(receiver.sessionsStarted, 8);
      // "no autoLogging if useLevel or customLogLevel is silent", "autoLogging.ignore ... can filter by status code"
      assert.equal(missing.status, 404);
      assert.equal(done.filter((line) => line.requestId === missing.requestId).length, 0, 'a silent response has no completion line');
      // "uses the custom log level passed in as an option, req and res is defined"
      assert.equal(done.find((line) => line.requestId === conflict.requestId)?.level, 40);
      // "uses custom request properties to log additional attributes"
      // (The /gen request is the other instance's, which has no customProps: the first instance on a request owns its completion line.)
      for (const line of done.filter((line) => line.url !== '/gen')) assert.equal(line.tenant, 'acme', String(line.url));
      // pino-http logs res.err on the completion line.
      const erroredLine = done.find((line) => line.requestId === errored.requestId);
      assert.equal((erroredLine?.err as { message?: string } | undefined)?.message, 'failure hung on the response');
      assert.equal(erroredLine?.level, 50);
    } finally {
      await receiver.stop();
    }
  });
});
