// `node dist/bench/http-parts.js` after a build: where logferry's per-request cost in the http
// scenario goes. Each part serves the same route as scenario 6 (bench/http.ts) in a process of
// its own, with the network sinks off, alternating, BENCH_ROUNDS rounds (3); prints the median
// process CPU per request of each.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { formatNumber, summarize } from './stats.js';

const PARTS: Array<[string, string]> = [
  ['node-http', 'no logging'],
  ['pino-http', 'pino-http: its middleware and one line from the handler'],
  ['logferry-lines', 'logferry: the same two lines, no middleware, no context'],
  ['logferry-lines-context', 'logferry: the same two lines inside withLogContext'],
  ['logferry-stdout', 'logferry: requestLogging() and one line from the handler'],
  ['fastify', 'Fastify 5, no logging'],
  ['fastify-logger', 'Fastify 5, its own request logging (pino to stdout) and one line'],
  ['fastify-logferry', "Fastify 5, logferry's plugin and one line"],
];
/** BENCH_PARTS=node-http,pino-http,… runs only those parts. */
const chosen = process.env.BENCH_PARTS?.split(',');
const RUN = chosen ? PARTS.filter(([part]) => chosen.includes(part)) : PARTS;

function runPart(part: string): Promise<Record<string, number>> {
  const child = spawn(process.execPath, [join(__dirname, 'child.js'), part, 'http'], {
    env: { ...process.env, NODE_ENV: 'production', NODE_NO_WARNINGS: '1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /BENCH_RESULT (.*)\n/.exec(stderr);
      if (!match?.[1]) return;
      clearTimeout(killer);
      child.kill('SIGKILL');
      resolve(JSON.parse(match[1]));
    });
    child.on('close', () => reject(new Error(`${part} ended without a result: ${stderr.slice(-400)}`)));
  });
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? '3');
  const cpu = new Map<string, number[]>(RUN.map(([part]) => [part, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < RUN.length; i++) {
      const [part] = RUN[(i + round) % RUN.length] as [string, string];
      const result = await runPart(part);
      cpu.get(part)?.push(result.cpuUsPerRequest as number);
      process.stderr.write(`  round ${round + 1} ${part}: ${formatNumber(result.cpuUsPerRequest as number, 1)} µs/request\n`);
    }
  }
  const bare = summarize(cpu.get('node-http') ?? []).median;
  process.stdout.write(
    '| part | process CPU µs/request (median, min–max) | added over no logging (node:http or Fastify) |\n|---|---|---|\n',
  );
  for (const [part, label] of RUN) {
    const summary = summarize(cpu.get(part) ?? []);
    const base = part.startsWith('fastify') ? summarize(cpu.get('fastify') ?? []).median : bare;
    const added = part === 'node-http' || part === 'fastify' ? '—' : `${formatNumber(summary.median - base, 1)} µs`;
    process.stdout.write(
      `| ${label} | ${formatNumber(summary.median, 1)} (${formatNumber(summary.min, 1)}–${formatNumber(summary.max, 1)}) | ${added} |\n`,
    );
  }
  process.stdout.write(`\n${process.version}, ${new Date().toISOString()}\n`);
}

void main();
