// The worked figure of docs/integrations.md#what-it-ships: bytes a service writes per 1,000
// requests, 1 % of them failing, at `info`, at `debug`, and at `info` with buffering at `debug`.
// Each setting runs in a process of its own: a node:http server with requestLogging(), whose
// handler logs four debug lines and one info line (a failing one then throws: a 500), and 1,000
// real requests to it, 16 at a time. The parent counts the JSON bytes and lines on the child's
// stdout, which is what CloudWatch would ingest with CLOUDWATCH_SCOPE=all (plus its 26 bytes
// an event). Run: `npm run build && node dist/bench/buffer-bytes.js`.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const REQUESTS = 1000;
const FAIL_EVERY = 100;
const SETTINGS = {
  info: { LOG_LEVEL: 'info' },
  debug: { LOG_LEVEL: 'debug' },
  'info, buffering at debug': { LOG_LEVEL: 'info', LOG_BUFFER_LEVEL: 'debug' },
  'info, buffering at debug, 1 % sampled': { LOG_LEVEL: 'info', LOG_BUFFER_LEVEL: 'debug', LOG_SAMPLE_RATE: '0.01' },
} as const;

async function child(): Promise<void> {
  const { createLogger, flushLogs } = await import('../src/index.js');
  const { requestLogging } = await import('../src/integrations/http.js');
  const log = createLogger('orders');
  const middleware = requestLogging();
  const server = createServer((req, res) =>
    middleware(req, res, () => {
      const n = Number(req.url?.slice(1));
      log.debug({ orderId: n, cache: 'miss' }, 'order not in cache');
      log.debug({ orderId: n, sql: 'select * from orders where id = $1', rows: 1, ms: 3.2 }, 'order query');
      log.debug({ orderId: n, items: 3, currency: 'EUR' }, 'order priced');
      log.debug({ orderId: n, provider: 'stripe', status: 'authorized' }, 'payment checked');
      log.info({ orderId: n, total: 42.5 }, 'order loaded');
      if (n % FAIL_EVERY === 0) {
        log.error({ err: new Error(`payment provider timed out for order ${n}`) }, 'order failed');
        res.writeHead(500).end();
      } else res.writeHead(200).end('ok');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const n = next++;
      await (await fetch(`http://127.0.0.1:${port}/${n}`)).text();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  server.close();
  await flushLogs();
}

function main(): void {
  process.stdout.write(`| setting | lines | bytes | CloudWatch ingested bytes (+26 an event) | per request |\n|---|---|---|---|---|\n`);
  for (const [name, env] of Object.entries(SETTINGS)) {
    const run = spawnSync(process.execPath, [__filename, 'child'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    const ingested = bytes + 26 * lines.length;
    process.stdout.write(`| ${name} | ${lines.length} | ${bytes} | ${ingested} | ${(ingested / REQUESTS).toFixed(0)} B |\n`);
  }
}

if (process.argv[2] === 'child') void child();
else main();
