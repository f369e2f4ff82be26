// Load for the http scenario, in a process of its own so its CPU is not the server's:
// BENCH_REQUESTS GETs over keep-alive, BENCH_CONCURRENCY at a time; prints `done <ms>`.
import { Agent, request } from 'node:http';

const [url] = process.argv.slice(2) as [string];
const total = Number(process.env.BENCH_REQUESTS ?? '20000');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '16');
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function get(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  // A warm-up, not timed: sockets open, JIT settled.
  await Promise.all(Array.from({ length: 500 }, (_, i) => get(`/orders/${i}`)));
  process.stdout.write('warm\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await get(`/orders/${next++}?token=t-${next}`);
    }),
  );
  process.stdout.write(`done ${performance.now() - startedAt}\n`);
  agent.destroy();
}

void main();
