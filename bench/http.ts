// The http scenario: the per-request cost of request logging, each contender serving the same
// route on node:http (one app line per request plus the contender's completion line), under
// load from a separate process. Reports CPU per request of the app's thread (event-loop
// utilization) and of the whole server process (every thread: the log worker too), and
// requests per second.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

async function listenerFor(contender: string): Promise<RequestListener> {
  const respond = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  const orderId = (req: IncomingMessage) => req.url?.split('/')[2]?.split('?')[0];
  switch (contender) {
    case 'node-http':
      return (_req, res) => respond(res);
    case 'pino-http': {
      const pino = (await import('pino')).default;
      const { pinoHttp } = await import('pino-http');
      const logger = pino(pino.transport({ target: 'pino/file', options: { destination: 1 } }));
      const middleware = pinoHttp({ logger });
      return (req, res) => {
        middleware(req, res);
        req.log.info({ orderId: orderId(req) }, 'loading order');
        respond(res);
      };
    }
    // Parts of logferry's cost, for bench/http-parts.ts: the same two lines without the
    // middleware (the second on the response's finish, as a completion line is), then inside a
    // withLogContext as the middleware's context is.
    case 'logferry-lines':
    case 'logferry-lines-context': {
      const { createLogger, withLogContext } = await import('../src/index.js');
      const log = createLogger('orders');
      const handle: RequestListener = (req, res) => {
        res.once('finish', () => log.info({ url: req.url, statusCode: 200, durationMs: 1 }, 'request completed'));
        log.info({ orderId: orderId(req) }, 'loading order');
        respond(res);
      };
      if (contender === 'logferry-lines') return handle;
      return (req, res) => withLogContext({ requestId: 'r', method: req.method, route: '/orders/:id' }, () => handle(req, res));
    }
    case 'logferry':
    case 'logferry-stdout': {
      const { createLogger } = await import('../src/index.js');
      const { requestLogging } = await import('../src/integrations/http.js');
      const log = createLogger('orders');
      const middleware = requestLogging({ route: () => '/orders/:id' });
      return (req, res) =>
        middleware(req, res, () => {
          log.info({ orderId: orderId(req) }, 'loading order');
          respond(res);
        });
    }
    // Fastify 5 serving the same route: without logging, with its own request logging (pino to
    // stdout, its default), and with logferry's plugin (Fastify's logger off).
    case 'fastify':
    case 'fastify-logger':
    case 'fastify-logferry':
      return fastifyListener(contender);
    default:
      throw new Error(`${contender} is not an http contender`);
  }
}

/** Fastify's request handler, taken from its serverFactory so the scenario's own server serves it. */
async function fastifyListener(contender: string): Promise<RequestListener> {
  const Fastify = (await import('fastify')).default;
  let listener: RequestListener | undefined;
  const serverFactory = (handler: RequestListener) => {
    listener = handler;
    return createServer(handler);
  };
  const app = Fastify({ logger: contender === 'fastify-logger', serverFactory });
  let log: { info(fields: object, message: string): void } | undefined;
  if (contender === 'fastify-logferry') {
    const { createLogger } = await import('../src/index.js');
    const { logferryFastify: logferry } = await import('../src/integrations/fastify.js');
    await app.register(logferry);
    log = createLogger('orders');
  }
  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    if (contender === 'fastify-logger') request.log.info({ orderId: request.params.id }, 'loading order');
    else log?.info({ orderId: request.params.id }, 'loading order');
    return reply.type('text/plain').send('ok');
  });
  await app.ready();
  if (!listener) throw new Error('Fastify did not call its serverFactory');
  return listener;
}

/** Serves, drives the client, and returns the figures. */
export async function runHttpScenario(contender: string): Promise<Record<string, number>> {
  const server = createServer(await listenerFor(contender));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = spawn(process.execPath, [join(__dirname, 'http-client.js'), url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  const said = (word: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const match = new RegExp(`${word}( [\\d.]+)?\\n`).exec(output);
        if (match) resolve(match[1]?.trim() ?? '');
      };
      client.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        check();
      });
      check();
    });
  await said('warm');
  // Let the warm-up's lines drain before the timed part.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const requests = Number(process.env.BENCH_REQUESTS ?? '20000');
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  client.stdin.write('go\n');
  const clientMs = Number(await said('done'));
  const elu = performance.eventLoopUtilization(eluBefore);
  const cpu = process.cpuUsage(cpuBefore);
  server.close();
  return {
    requestsPerSecond: requests / (clientMs / 1000),
    appUsPerRequest: (elu.active * 1000) / requests,
    cpuUsPerRequest: (cpu.user + cpu.system) / requests,
  };
}
