// One contender, one scenario, one round: prints `BENCH_RESULT <json>` on stderr.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fiveFields } from './audit-line.js';
import { type BenchEnv, type Contender, createBenchLogger } from './contenders.js';
import { logCpuError, logCpuLine, runCpu } from './cpu.js';
import { runHttpScenario } from './http.js';

const [contender, scenario] = process.argv.slice(2) as [Contender, string];
const env: BenchEnv = {
  group: process.env.BENCH_GROUP ?? '/bench',
  stream: process.env.BENCH_STREAM ?? 'bench',
  region: process.env.AWS_REGION ?? 'eu-west-1',
  endpoint: process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS ?? '',
};
const lines = Number(process.env.BENCH_LINES ?? '100000');

function report(result: Record<string, unknown>): void {
  process.stderr.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

function nsPerCall(count: number, call: (i: number) => void): number {
  for (let i = 0; i < 20_000; i++) call(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) call(i);
  return Number(process.hrtime.bigint() - start) / count;
}

async function main(): Promise<void> {
  if (scenario === 'http') {
    // The http scenario builds its own loggers around a server (bench/http.ts).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    report(await runHttpScenario(contender));
    return;
  }
  const log = await createBenchLogger(contender, env);
  // Every scenario starts 1 s after the logger is created, as a service logs after it has booted:
  // a worker still loading its modules (logferry's loads the AWS SDK and the Bugsnag notifier)
  // would compete with the loop for the two cores, and a burst would wait for it to start.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  switch (scenario) {
    case 'cost': {
      const infoNs = nsPerCall(200_000, () => log.info({ a: 1, b: 'x' }, 'hello world'));
      // Every contender's worker catches up first, so the second figure does not pay for the
      // first loop's backlog (logferry would otherwise cross its app-side backlog bound).
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const transactionalNs = nsPerCall(200_000, (i) => log.transactional(fiveFields(i), 'Organization was successfully added'));
      report({ infoNs, transactionalNs });
      break;
    }
    case 'errors': {
      const error = new TypeError('amount is not a number');
      report({ errorNs: nsPerCall(Number(process.env.BENCH_ERRORS ?? '20000'), () => log.error(error)) });
      break;
    }
    case 'e2e': {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const startedAt = Date.now();
      for (let i = 0; i < lines; i++) log.transactional({ seq: i, ...fiveFields(i) }, 'Organization was successfully added');
      const lastCallAt = Date.now();
      // Keep the loop turning while delivery happens, so the delay histogram covers it.
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_OBSERVE_MS ?? '4000')));
      delay.disable();
      report({ startedAt, lastCallAt, ...delays(delay) });
      break;
    }
    case 'paced':
      // 10,000 lines/s in 10 ms ticks, while the endpoint answers slowly.
      report(
        await paced(Number(process.env.BENCH_SECONDS ?? '10'), 100, (i) =>
          log.transactional({ seq: i, ...fiveFields(i) }, 'Organization was successfully added'),
        ),
      );
      break;
    case 'errors-paced':
      // 1,000 errors/s, to a receiver that answers slowly; 50 distinct errors, as a busy service has.
      report(await paced(Number(process.env.BENCH_SECONDS ?? '5'), 10, (i) => log.error(new Error(`failure ${i % 50}`))));
      break;
    case 'memory': {
      // What the process holds with its logger started and idle, so the peak can be read as growth
      // (one line first, so whatever a logger sets up on its first line is in place).
      log.transactional({ seq: -1, ...fiveFields(0) }, 'Organization was successfully added');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idleRssMiB = process.memoryUsage().rss / 2 ** 20;
      for (let i = 0; i < lines; i++) log.transactional({ seq: i, ...fiveFields(i) }, 'Organization was successfully added');
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_OBSERVE_MS ?? '8000')));
      const maxRssMiB = process.resourceUsage().maxRSS / 1024;
      report({ maxRssMiB, idleRssMiB, growthMiB: maxRssMiB - idleRssMiB });
      break;
    }
    case 'cpu':
      await runCpu(log, lines, 2000, (i) => logCpuLine(log, i), report);
      break;
    case 'cpu-errors':
      await runCpu(log, lines, 100, (i) => logCpuError(log, i), report);
      break;
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

/** Calls `call` `perTick` times every 10 ms for `seconds`, measuring the event-loop delay meanwhile. */
async function paced(seconds: number, perTick: number, call: (i: number) => void): Promise<Record<string, number>> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) call(sent++);
      if (sent >= seconds * perTick * 100) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  delay.disable();
  return { sent, ...delays(delay) };
}

function delays(histogram: ReturnType<typeof monitorEventLoopDelay>): Record<string, number> {
  return { p50Ms: histogram.percentile(50) / 1e6, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
}

void main();
