// One spool bench run: BENCH_LINES transactional lines, then a flush; prints `BENCH_RESULT <json>`
// on stderr with the app thread's ns per log call and the CPU per line of the whole process
// (app thread, worker, SDK) from the first call until CloudWatch has accepted every line.
// With BENCH_FILE, pino writing each line synchronously to that file instead (what a log agent tails).
import pino from 'pino';
import { flushLogs, logStats, transactionalLogger } from '../src/index.js';
import { fiveFields } from './audit-line.js';

const lines = Number(process.env.BENCH_LINES ?? '100000');

function report(result: Record<string, number>): void {
  process.stderr.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/**
 * The loop in ten slices: the mean per call, and the best slice's, which a busy machine's
 * preemptions disturb least (other jobs on a shared two-core machine steal whole slices).
 */
function timedLoop(call: (i: number) => void): { transactionalNs: number; bestTenthNs: number } {
  const slice = Math.ceil(lines / 10);
  let totalNs = 0;
  let bestTenthNs = Number.POSITIVE_INFINITY;
  for (let from = 0; from < lines; from += slice) {
    const to = Math.min(lines, from + slice);
    const start = process.hrtime.bigint();
    for (let i = from; i < to; i++) call(i);
    const ns = Number(process.hrtime.bigint() - start);
    totalNs += ns;
    bestTenthNs = Math.min(bestTenthNs, ns / (to - from));
  }
  return { transactionalNs: totalNs / lines, bestTenthNs };
}

const cpuNsPerLine = (cpu: NodeJS.CpuUsage) => ((cpu.user + cpu.system) * 1000) / lines;

/** What an app pays for the same guarantee with a log agent beside it (the agent's own CPU and memory come on top). */
function pinoSyncFile(file: string): void {
  const audit = pino(pino.destination({ dest: file, sync: true })).child({ channel: 'transactional' });
  for (let i = 0; i < 20_000; i++) audit.info(fiveFields(i), 'Organization was successfully added');
  const cpuBefore = process.cpuUsage();
  const timed = timedLoop((i) => audit.info(fiveFields(i), 'Organization was successfully added'));
  report({ ...timed, cpuNsPerLine: cpuNsPerLine(process.cpuUsage(cpuBefore)) });
}

async function main(): Promise<void> {
  if (process.env.BENCH_FILE) {
    pinoSyncFile(process.env.BENCH_FILE);
    return;
  }
  transactionalLogger.info({ warmUp: true }, 'start');
  // As in bench/child.ts: the worker loads its modules before the loop starts.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const warmUp = Math.min(20_000, lines / 5);
  for (let i = 0; i < warmUp; i++) transactionalLogger.info(fiveFields(i), 'Organization was successfully added');
  const warm = await flushLogs(60_000);
  if (!warm.delivered) throw new Error('warm-up lines were not delivered');
  const cpuBefore = process.cpuUsage();
  const timed = timedLoop((i) => transactionalLogger.info(fiveFields(i), 'Organization was successfully added'));
  const flushed = await flushLogs(120_000);
  const cpu = process.cpuUsage(cpuBefore);
  report({
    ...timed,
    cpuNsPerLine: cpuNsPerLine(cpu),
    delivered: flushed.delivered ? 1 : 0,
    spooled: logStats().cloudwatch?.spooled ?? 0,
  });
}

void main();
