// A small GraphQL-ish HTTP service that logs the way a backend would: requests with
// context (logferry/http's middleware), a transactional audit trail, a handled error, and
// one unhandled crash.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, transactionalLogger } from '../src/index.js';
import { requestLogging } from '../src/integrations/http.js';

const log = createLogger(__filename);
const organizations = new Map<string, { name: string; ownerEmail: string }>();

class PaymentProviderError extends Error {
  override name = 'PaymentProviderError';
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (req.method === 'POST' && url.pathname === '/organizations') {
    const id = `org-${organizations.size + 1}`;
    const ownerEmail = url.searchParams.get('owner') ?? 'ada@example.com';
    organizations.set(id, { name: url.searchParams.get('name') ?? 'Acme', ownerEmail });
    transactionalLogger.info({ organizationId: id, userEmail: ownerEmail }, 'Organization was successfully added');
    return send(201, { id });
  }
  if (req.method === 'GET' && url.pathname.startsWith('/organizations/')) {
    const org = organizations.get(url.pathname.split('/')[2] ?? '');
    if (!org) {
      log.warn({ organizationId: url.pathname.split('/')[2] }, 'organization not found');
      return send(404, { error: 'not found' });
    }
    return send(200, org);
  }
  if (url.pathname === '/billing/charge') {
    try {
      const cause = new Error('connect ECONNREFUSED 10.0.0.7:443');
      throw new PaymentProviderError('payment provider unavailable', 503, { cause });
    } catch (error) {
      // Handled: the user gets a 502, Bugsnag gets the error with its cause, the headers stay secret.
      log.error({ err: error, req: { headers: { authorization: req.headers.authorization } } }, 'charge failed');
      return send(502, { error: 'try again later' });
    }
  }
  if (url.pathname === '/crash') {
    send(202, { crashing: true });
    // A bug nobody caught: thrown outside any request handler's try.
    setImmediate(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'plan')");
    });
    return;
  }
  send(404, { error: 'no such route' });
}

// Without a framework's router, the route template comes from the app: never the raw URL.
function routeOf(req: IncomingMessage): string | undefined {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  return path.startsWith('/organizations/') ? '/organizations/:id' : path;
}

// Request id, method, route and user on every line of a request; one completion line each.
const logRequests = requestLogging({ route: routeOf, getUser: () => ({ id: 'u-42' }), ignore: (req) => req.url === '/health' });
const server = createServer((req, res) => logRequests(req, res, () => void handle(req, res)));

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  log.info({ port }, 'service listening');
  process.stderr.write(`service-port=${port}\n`);
});
