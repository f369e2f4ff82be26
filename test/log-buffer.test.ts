import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { jsonLines } from './support/run-fixture.js';
import { startService } from './support/service-process.js';

// Per-request buffering (LOG_BUFFER_LEVEL) on real Express 5, Fastify 5 and node:http servers in
// a child process, with real HTTP requests from here: a failing request writes its own held
// debug lines, in order, before its error line; a succeeding one writes none.

type Line = Record<string, unknown>;

async function get(url: string): Promise<{ status: number; requestId: string | null }> {
  const response = await fetch(url);
  await response.text();
  return { status: response.status, requestId: response.headers.get('x-request-id') };
}

for (const kind of ['express', 'fastify', 'http']) {
  describe(`log buffering with ${kind}`, () => {
    it('a failing request writes its own held debug lines before its error line; a succeeding one writes none', async () => {
      const receiver = await new LocalBugsnag().start();
      try {
        const service = await startService('buffer-app', [kind], {
          ...bugsnagEnv(receiver),
          LOG_LEVEL: 'info',
          LOG_LEVEL_CONSOLE: 'trace',
          LOG_BUFFER_LEVEL: 'debug',
        });
        const requests = await Promise.all(
          Array.from({ length: 30 }, (_, i) => {
            const route = i % 10 === 3 ? 'fail' : i % 10 === 7 ? 'error-line' : 'ok';
            return get(`${service.url}/${route}/t${i}`).then((answer) => ({ ...answer, route, tag: `t${i}` }));
          }),
        );
        const stats = (await (await fetch(`${service.url}/stats`)).json()) as Record<string, Record<string, number>>;
        const run = await service.stop('SIGTERM');
        const lines = jsonLines(run.stdout) as Line[];
        for (const request of requests) {
          const own = lines.filter((line) => line.requestId === request.requestId);
          const held = own.filter((line) => line.buffered === true);
          if (request.route === 'ok') {
            assert.equal(request.status, 200);
            assert.deepEqual(held, [], `request ${request.tag} succeeded and wrote held lines`);
            assert.ok(!own.some((line) => line.level === 20), 'a debug line of a succeeding request was written');
            continue;
          }
          assert.equal(request.status, request.route === 'fail' ? 500 : 200);
          // Its own two debug lines, in order, each with its original time, its context and buffered: true.
          assert.deepEqual(
            held.map((line) => line.msg),
            [`debug one ${request.tag}`, `debug two ${request.tag}`],
          );
          for (const line of held) {
            assert.equal(line.tag, request.tag);
            assert.equal(line.level, 20);
            assert.equal(line.module, 'orders');
            assert.equal(typeof line.time, 'number');
          }
          // Censored when logged, as every line is.
          assert.equal(held[0]?.password, '[Redacted]');
          assert.ok((held[0]?.time as number) <= (held[1]?.time as number));
          // The held lines come first, then the error line.
          const errorAt = own.findIndex((line) => (line.level as number) >= 50);
          const lastHeldAt = own.findIndex((line) => line === held[1]);
          assert.ok(errorAt > lastHeldAt, `the error line of ${request.tag} came before its held lines`);
        }
        assert.ok(!run.stdout.includes('hunter2'), 'a secret reached stdout');
        // 6 failing requests wrote 2 lines each; 24 discarded theirs.
        const stdoutStats = stats.stdout ?? {};
        assert.equal(stdoutStats.bufferHeld, 60);
        assert.equal(stdoutStats.bufferWritten, 12);
        assert.equal(stdoutStats.bufferDiscarded, 48);

        // The Bugsnag event of a failing request has that request's lines as breadcrumbs, and no other request's.
        const failing = requests.filter((request) => request.route === 'fail');
        for (const request of failing) {
          const event = receiver.events.find((received) => received.exceptions?.[0]?.message === `kaboom ${request.tag}`);
          assert.ok(event, `no Bugsnag event for ${request.tag}`);
          const names = (event.breadcrumbs ?? []).map((crumb) => crumb.name);
          assert.ok(names.includes(`debug one ${request.tag}`), `breadcrumbs of ${request.tag}: ${names.join(' | ')}`);
          assert.ok(names.includes(`debug two ${request.tag}`));
          assert.ok(
            names.every((name) => !/ t\d+$/.test(name) || name.endsWith(` ${request.tag}`)),
            `another request's line on ${request.tag}'s event: ${names.join(' | ')}`,
          );
        }
      } finally {
        await receiver.stop();
      }
    });
  });
}

describe('LOG_SAMPLE_RATE with request logging', () => {
  it('at 1, every request logs at debug from its start, each of its lines with sampled: true; at 0 none does', async () => {
    for (const rate of ['1', '0']) {
      const service = await startService('buffer-app', ['express'], { NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_SAMPLE_RATE: rate });
      const answers = await Promise.all(['ok/a', 'ok/b', 'fail/c'].map((path) => get(`${service.url}/${path}`)));
      const run = await service.stop('SIGTERM');
      const lines = jsonLines(run.stdout) as Line[];
      for (const answer of answers) {
        const own = lines.filter((line) => line.requestId === answer.requestId);
        const debug = own.filter((line) => line.level === 20);
        if (rate === '1') {
          assert.equal(debug.length, 2, JSON.stringify(own));
          assert.ok(own.length > 2 && own.every((line) => line.sampled === true && line.buffered === undefined));
        } else {
          assert.equal(debug.length, 0);
          assert.ok(own.length > 0 && own.every((line) => line.sampled === undefined));
        }
      }
    }
  });
});
