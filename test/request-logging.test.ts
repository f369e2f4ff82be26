import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { jsonLines } from './support/run-fixture.js';
import { startService } from './support/service-process.js';

// Real Express 5, Fastify 5 and node:http servers in a child process, logging through
// logferry to stdout and the local Bugsnag receiver; real HTTP requests from here.

type Line = Record<string, unknown>;
const SECRET = 'tok-3f9a1c77e2';
const XRAY_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const LOG_GROUP = '/test/request-logging';
// Array and index forms of secret keys, as qs and PHP-style forms send them.
const ARRAY_KEYS = `&password[]=${SECRET}&user[password][]=${SECRET}&api_key[0]=${SECRET}&token[]=${SECRET}`;
const ARRAY_KEYS_CENSORED = '&password[]=[Redacted]&user[password][]=[Redacted]&api_key[0]=[Redacted]&token[]=[Redacted]';

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; requestId: string | null; body: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.text() };
}

/** A request the client gives up on after `afterMs`. */
function abortedRequest(url: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url);
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

const completions = (lines: Line[]) => lines.filter((line) => line.requestCompleted === true);

async function serve(kind: string, receiver: LocalBugsnag, extra: Record<string, string> = {}, cloudwatch?: LocalCloudWatchLogs) {
  return startService('http-app', [kind], {
    ...(cloudwatch ? cloudWatchEnv(cloudwatch, LOG_GROUP, { CLOUDWATCH_SCOPE: 'all' }) : {}),
    ...bugsnagEnv(receiver),
    LOG_LEVEL: 'info',
    LOG_LEVEL_CONSOLE: 'trace',
    _X_AMZN_TRACE_ID: `Root=${XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    ...extra,
  });
}

for (const kind of ['express', 'fastify']) {
  describe(`request logging with ${kind}`, () => {
    it('40 concurrent requests: each line carries its own request id, one completion line each; errors, sessions and secrets as documented', async () => {
      const receiver = await new LocalBugsnag().start();
      const cloudwatch = await new LocalCloudWatchLogs().start();
      try {
        const service = await serve(kind, receiver, {}, cloudwatch);
        const orders = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            get(`${service.url}/api/orders/${i}`, i % 2 === 0 ? { 'x-request-id': `incoming-${i}`, 'x-user': `u${i}` } : {}),
          ),
        );
        const boom = await get(`${service.url}/api/boom/7`, {
          authorization: 'Bearer hunter2',
          referer: `http://app.test/p?token=${SECRET}&token[]=${SECRET}&page=1`,
        });
        const secret = await get(`${service.url}/api/secret?token=${SECRET}&api_key=${SECRET}&page=2${ARRAY_KEYS}`);
        const missing = await get(`${service.url}/api/missing`);
        const thrownString = await get(`${service.url}/api/throw-string`);
        const health = await get(`${service.url}/health`);
        await abortedRequest(`${service.url}/api/slow`, 300);
        await abortedRequest(`${service.url}/api/half`, 300);
        const bad = await get(`${service.url}/api/orders/x`, { 'x-request-id': 'not ok <script>' });
        // Fastify answers a URL it cannot decode (FST_ERR_BAD_URL) before any hook runs: untracked, as documented.
        const badUrl = kind === 'fastify' ? await get(`${service.url}/api/orders/%zz`) : undefined;
        // 40 orders, boom, missing, the thrown string, secret, the two aborted ones and the bad id; the health check is ignored.
        const tracked = 47;
        const run = await service.stop('SIGTERM');
        const lines = jsonLines(run.stdout);

        // Every line of an order request carries that request's id, whichever request logged last.
        orders.forEach((response, i) => {
          assert.equal(response.status, 200);
          if (i % 2 === 0) assert.equal(response.requestId, `incoming-${i}`, 'an incoming x-request-id is kept and echoed');
          else assert.match(String(response.requestId), /^[0-9a-f-]{36}$/);
          const own = lines.filter((line) => line.orderId === String(i));
          assert.deepEqual(
            own.map((line) => line.msg),
            ['loading order', 'order loaded'],
          );
          for (const line of own) {
            assert.equal(line.requestId, response.requestId, `order ${i} line carries another request's id`);
            assert.equal(line.route, '/api/orders/:id');
            assert.equal(line.method, 'GET');
            assert.equal(line.userId, i % 2 === 0 ? `u${i}` : undefined);
            assert.equal(line.xrayTraceId, XRAY_ROOT);
          }
          const done = completions(lines).filter((line) => line.requestId === response.requestId);
          assert.equal(done.length, 1, `exactly one completion line for order ${i}`);
          assert.equal(done[0]?.statusCode, 200);
          assert.equal(done[0]?.route, '/api/orders/:id');
          assert.equal(done[0]?.url, `/api/orders/${i}`);
          assert.equal(typeof done[0]?.durationMs, 'number');
          assert.equal(done[0]?.level, 30);
        });
        if (badUrl) {
          assert.equal(badUrl.status, 400);
          assert.equal(badUrl.requestId, null);
          assert.equal(completions(lines).filter((line) => String(line.url).includes('%zz')).length, 0);
        }
        assert.notEqual(bad.requestId, 'not ok <script>');
        assert.match(String(bad.requestId), /^[0-9a-f-]{36}$/, 'a malformed incoming id is replaced');
        assert.equal(health.status, 200);
        assert.equal(health.requestId, null);
        assert.equal(completions(lines).filter((line) => line.url === '/health').length, 0, 'ignored requests have no completion line');
        assert.equal(completions(lines).length, tracked);

        const boomDone = completions(lines).find((line) => line.requestId === boom.requestId);
        assert.equal(boom.status, 500);
        assert.equal(boomDone?.level, 50, '5xx completion lines are at error');
        assert.equal(boomDone?.route, '/api/boom/:id');
        const aborted = completions(lines).filter((line) => line.aborted === true);
        assert.equal(aborted.length, 2);
        const half = aborted.find((line) => line.route === '/api/half');
        assert.equal(half?.statusCode, 202, 'an aborted request whose headers went out says the status sent');
        aborted.splice(aborted.indexOf(half as Line), 1);
        assert.equal(aborted[0]?.route, '/api/slow');
        assert.equal(aborted[0]?.msg, 'request aborted');
        assert.equal(aborted[0]?.statusCode, undefined, 'no status is claimed for a response never sent');
        assert.equal(aborted[0]?.level, 30);

        // The thrown error: once, unhandled, from the error middleware, with the request tab.
        assert.deepEqual(receiver.problems, []);
        const thrown = receiver.events.filter((event) => event.exceptions[0]?.message === 'kaboom 7');
        assert.equal(thrown.length, 1, `the handler error is reported exactly once (${receiver.events.length} events)`);
        const [event] = thrown;
        assert.equal(event?.unhandled, true);
        assert.equal(event?.severity, 'error');
        assert.equal(event?.severityReason.type, 'unhandledErrorMiddleware');
        assert.equal(event?.severityReason.attributes?.framework, kind === 'express' ? 'Express/Connect' : 'Fastify');
        assert.equal(event?.context, '/api/boom/:id');
        assert.match(String(event?.request?.url), /^http:\/\/127\.0\.0\.1:\d+\/api\/boom\/7$/);
        assert.equal(event?.request?.httpMethod, 'GET');
        // Censored on the app's thread, and again by the notifier's redactedKeys (which writes [REDACTED]).
        assert.match(String(event?.request?.headers?.authorization), /^\[redacted\]$/i);
        assert.match(String(event?.request?.clientIp), /127\.0\.0\.1$/);
        assert.equal(event?.request?.referer, 'http://app.test/p?token=[Redacted]&token[]=[Redacted]&page=1');
        assert.equal(event?.metaData?.log?.httpRequest, undefined, 'the request tab is not repeated in the log tab');
        assert.deepEqual(event?.session?.events, { handled: 0, unhandled: 1 });
        assert.ok(
          !receiver.events.some((e) => /request completed/.test(e.exceptions[0]?.message ?? '')),
          'no completion line became an event',
        );

        // A thrown string: reported once too (Express runs two errorLogging() middlewares).
        assert.equal(thrownString.status, 500);
        // @bugsnag/plugin-express express.feature "throwing non-Error error": an InvalidError, the value in the log tab.
        const stringEvents = receiver.events.filter((e) => e.metaData?.log?.thrown === 'thrown string 9');
        assert.equal(stringEvents[0]?.exceptions[0]?.errorClass, 'InvalidError');
        assert.match(String(stringEvents[0]?.exceptions[0]?.message), /^(Express\/Connect|Fastify) handler threw a non-error\./);
        assert.equal(stringEvents.length, 1, `the thrown string is reported exactly once (${stringEvents.length})`);
        assert.equal(stringEvents[0]?.unhandled, true);
        assert.equal(
          lines.filter((line) => line.msg === 'request handler failed' && line.requestId === thrownString.requestId).length,
          1,
          'one error line for the thrown string',
        );

        // A thrown client error (status 404) is answered with its status and not reported.
        assert.equal(missing.status, 404);
        assert.equal(completions(lines).find((line) => line.requestId === missing.requestId)?.statusCode, 404);
        assert.ok(!receiver.events.some((e) => e.exceptions[0]?.message === 'no such invoice'), 'a 4xx error was reported');

        // A warn inside a request: a handled event with the censored URL.
        const warned = receiver.events.find((e) => e.exceptions[0]?.message === 'someone looked at the secret page');
        assert.equal(warned?.unhandled, false);
        assert.equal(
          warned?.request?.url?.endsWith(`/api/secret?token=[Redacted]&api_key=[Redacted]&page=2${ARRAY_KEYS_CENSORED}`),
          true,
          warned?.request?.url,
        );
        assert.deepEqual(warned?.session?.events, { handled: 1, unhandled: 0 });
        assert.notEqual(warned?.session?.id, event?.session?.id);

        // The secret query values reached no sink (CloudWatch ships every line here: scope all).
        assert.ok(!run.stdout.includes(SECRET), 'secret on stdout');
        const shipped = cloudwatch.events(LOG_GROUP);
        assert.ok(shipped.length >= lines.length, `CloudWatch has ${shipped.length} of ${lines.length} lines`);
        assert.ok(!shipped.some((shippedEvent) => shippedEvent.message.includes(SECRET)), 'secret in CloudWatch');
        assert.ok(!receiver.payloads.some((payload) => payload.raw.includes(SECRET)), 'secret in a Bugsnag payload');
        const secretDone = completions(lines).find((line) => line.requestId === secret.requestId);
        assert.equal(secretDone?.url, `/api/secret?token=[Redacted]&api_key=[Redacted]&page=2${ARRAY_KEYS_CENSORED}`);

        // One session per tracked request, all sent by the time the process had exited.
        assert.equal(receiver.sessionsStarted, tracked);
      } finally {
        await receiver.stop();
        await cloudwatch.stop();
      }
    });

    it('with the OpenTelemetry SDK, lines inside a span carry its ids and lines outside none; the Bugsnag event is correlated', async () => {
      const receiver = await new LocalBugsnag().start();
      try {
        const service = await serve(kind, receiver, { WITH_OTEL: '1' });
        const traced = await get(`${service.url}/api/traced`);
        const order = await get(`${service.url}/api/orders/1`);
        const run = await service.stop('SIGTERM');
        const ids = JSON.parse(traced.body) as { traceId: string; spanId: string };
        const lines = jsonLines(run.stdout);
        const inside = lines.filter((line) => line.msg === 'inside the span' || line.msg === 'failed inside the span');
        assert.equal(inside.length, 2);
        for (const line of inside) {
          assert.equal(line.trace_id, ids.traceId);
          assert.equal(line.span_id, ids.spanId);
          assert.equal(line.trace_flags, '01');
        }
        const outside = lines.filter((line) => line.requestId === order.requestId || line.requestCompleted === true);
        assert.ok(outside.length >= 3);
        for (const line of outside) assert.equal(line.trace_id, undefined, `a line outside any span carries a trace id: ${line.msg}`);
        const event = receiver.events.find((e) => e.exceptions[0]?.message === 'failed inside the span');
        assert.deepEqual(event?.correlation, { traceId: ids.traceId, spanId: ids.spanId });
      } finally {
        await receiver.stop();
      }
    });
  });
}

describe('request logging with plain node:http', () => {
  it('40 concurrent requests keep their own ids, with the route the option names', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      const service = await serve('http', receiver);
      const orders = await Promise.all(Array.from({ length: 40 }, (_, i) => get(`${service.url}/api/orders/${i}?token=${SECRET}`)));
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout);
      orders.forEach((response, i) => {
        const own = lines.filter((line) => line.orderId === String(i));
        assert.equal(own.length, 2);
        for (const line of own) assert.equal(line.requestId, response.requestId);
        const done = completions(lines).filter((line) => line.requestId === response.requestId);
        assert.equal(done.length, 1);
        assert.equal(done[0]?.route, '/api/orders/:id');
      });
      assert.ok(!run.stdout.includes(SECRET));
      assert.equal(receiver.sessionsStarted, 40);
    } finally {
      await receiver.stop();
    }
  });
});
