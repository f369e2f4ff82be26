// One spool bench run: BENCH_LINES transactional lines, then a flush; prints `BENCH_RESULT <json>`
// on stderr with the app thread's ns per log call and the CPU per line of the whole process
// (app thread, worker, SDK) from the first call until CloudWatch has accepted every line.
import pino from 'pino';
import { flushLogs, logStats, transactionalLogger } from '../src/index.js';

const lines = Number(process.env.BENCH_LINES ?? '100000');
const fiveFields = (i: number) => ({
  organizationId: `org-${i % 100}`,
  userEmail: 'ada@example.com',
  plan: 'team',
  seats: 12,
  actor: 'u-42',
});

/**
 * What an app pays for the same guarantee with a log agent beside it: pino writing each line to a
 * file synchronously, for the agent to tail (the agent's own CPU and memory come on top).
 */
function pinoSyncFile(file: string): void {
  const audit = pino(pino.destination({ dest: file, sync: true })).child({ channel: 'transactional' });
  for (let i = 0; i < 20_000; i++) audit.info(fiveFields(i), 'Organization was successfully added');
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) audit.info(fiveFields(i), 'Organization was successfully added');
  const appNs = Number(process.hrtime.bigint() - start) / lines;
  const cpu = process.cpuUsage(cpuBefore);
  process.stderr.write(
    `BENCH_RESULT ${JSON.stringify({ transactionalNs: appNs, cpuNsPerLine: ((cpu.user + cpu.system) * 1000) / lines })}\n`,
  );
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
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) transactionalLogger.info(fiveFields(i), 'Organization was successfully added');
  const appNs = Number(process.hrtime.bigint() - start) / lines;
  const flushed = await flushLogs(120_000);
  const cpu = process.cpuUsage(cpuBefore);
  const stats = logStats().cloudwatch;
  process.stderr.write(
    `BENCH_RESULT ${JSON.stringify({
      transactionalNs: appNs,
      cpuNsPerLine: ((cpu.user + cpu.system) * 1000) / lines,
      delivered: flushed.delivered ? 1 : 0,
      spooled: stats?.spooled ?? 0,
    })}\n`,
  );
}

void main();
