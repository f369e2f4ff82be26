// `npm run bench`: every contender in the same run, alternating, BENCH_ROUNDS rounds (5; 9 for scenario 1),
// each in a process of its own; prints medians with min–max and ratios, writes
// bench/results.json and bench/results.svg, and the tables into docs/benchmarks.md. Subset with
// BENCH_SCENARIOS=cost,e2e,... and BENCH_CONTENDERS=logferry,...; a subset run replaces only the
// figures it measured. `--tables-only` rewrites docs/benchmarks.md from results.json, running nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBugsnag } from '../test/support/bugsnag-receiver.js';
import { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';
import { runBufferCostBench } from './buffer-cost.js';
import { barChartSvg } from './chart.js';
import { benchChildEnv } from './child-env.js';
import type { Contender } from './contenders.js';
import { writeBenchTablesDoc } from './docs-tables.js';
import { runSpoolBench } from './spool.js';
import { type Results, type Summaries, type Summary, summarizeAll } from './stats.js';
import { formatTables } from './tables.js';

export interface Scenario {
  name: string;
  title: string;
  contenders: Contender[];
  env?: Record<string, string>;
  /** CloudWatch server answer delay in ms. */
  delayMs?: number;
  /** Bugsnag receiver answer delay in ms. */
  bugsnagDelayMs?: number;
  /** The endpoint refuses every connection. */
  down?: boolean;
  /** Wait until the server holds this many events of the run (end-to-end scenarios). */
  expectEvents?: number;
  child: string;
  /** Rounds when BENCH_ROUNDS does not say: more where run-to-run noise is near the gap measured. */
  rounds?: number;
  /**
   * CPU per line: each round also runs the contender logging 0 lines, and the figure is the
   * difference in the process's CPU time over the lines (see bench/cpu.ts).
   */
  cpuPerLine?: {
    lines: number;
    /** Fewer lines for contenders that ship a few thousand lines a second: their run would outlast the bench's bound. */
    linesFor?: Partial<Record<Contender, number>>;
    delivery: 'cloudwatch' | 'bugsnag';
    /** The contenders that ship over the network, whose delivered count is shown. */
    shipping: Contender[];
  };
}

const SHIPPING: Contender[] = ['logferry', 'winston-cloudwatch', 'pino-serdnam'];
const SCENARIOS: Scenario[] = [
  {
    name: 'cost',
    title: '1. App-thread cost, 200,000 calls',
    child: 'cost',
    // Its figures are close together next to the machine's run-to-run noise: more rounds steady the medians.
    rounds: 9,
    contenders: [
      'pino',
      'pino-no-io',
      'pino-worker',
      'pino-worker-sanitized',
      'logferry',
      'logferry-stdout',
      'winston-cloudwatch',
      'pino-serdnam',
    ],
  },
  {
    name: 'paced',
    title: '2. Event-loop delay, 10,000 lines/s for 10 s, CloudWatch answering in 500 ms',
    child: 'paced',
    delayMs: 500,
    contenders: SHIPPING,
  },
  {
    name: 'e2e',
    title: '3. End to end, 100,000 lines to the local CloudWatch server',
    child: 'e2e',
    expectEvents: 100_000,
    env: { BENCH_LINES: '100000' },
    contenders: [...SHIPPING, 'floor-cloudwatch'],
  },
  {
    name: 'e2e-200ms',
    title: '3b. End to end, 50,000 lines, CloudWatch answering in 200 ms',
    child: 'e2e',
    delayMs: 200,
    expectEvents: 50_000,
    env: { BENCH_LINES: '50000' },
    contenders: SHIPPING,
  },
  {
    // The default queue (32 MiB) against a burst bigger than it, endpoint healthy: what is not
    // shipped while the burst lasts is dropped, so `accepted` says whether shipping keeps up.
    name: 'burst',
    title: '3c. Burst of 200,000 transactional lines (~270 bytes) in a tight loop, endpoint healthy',
    child: 'e2e',
    expectEvents: 200_000,
    env: { BENCH_LINES: '200000' },
    contenders: ['logferry'],
  },
  {
    name: 'errors',
    title: '4. log.error(err) cost (logferry with its Bugsnag sink on)',
    child: 'errors',
    contenders: ['pino', 'logferry'],
  },
  {
    name: 'errors-paced',
    title: '4b. Event-loop delay, 1,000 errors/s to a Bugsnag receiver answering in 500 ms',
    child: 'errors-paced',
    bugsnagDelayMs: 500,
    contenders: ['logferry'],
  },
  {
    name: 'memory',
    title: '5. Peak RSS (app + worker), endpoint down, 1,000,000 lines offered',
    child: 'memory',
    down: true,
    env: { BENCH_LINES: '1000000' },
    // pino alone, in the same loop with nothing held: what the app's own heap takes of the peak.
    contenders: [...SHIPPING, 'pino'],
  },
  {
    // Three times the lines: a bounded logger's peak stays where it was.
    name: 'memory-3m',
    title: '5b. Peak RSS (app + worker), endpoint down, 3,000,000 lines offered',
    child: 'memory',
    down: true,
    env: { BENCH_LINES: '3000000' },
    contenders: [...SHIPPING, 'pino'],
  },
  {
    name: 'cpu',
    title: '7. CPU per line, all threads: 200,000 log.info lines, process CPU minus an idle run',
    child: 'cpu',
    cpuPerLine: {
      lines: 200_000,
      linesFor: { 'winston-cloudwatch': 20_000, 'pino-serdnam': 20_000 },
      delivery: 'cloudwatch',
      shipping: [...SHIPPING, 'floor-cloudwatch'],
    },
    // Every line in scope: the CloudWatch contenders ship each one.
    // A bound on the flush at exit long enough for every contender's worker to ship what it holds.
    env: { CLOUDWATCH_SCOPE: 'all', LOG_EXIT_TIMEOUT_MS: '15000' },
    // pino-no-io: pino's serializer alone for this line, the least any pino-based app thread spends.
    contenders: [
      'pino',
      'pino-no-io',
      'pino-worker',
      'logferry-stdout',
      'logferry',
      'floor-cloudwatch',
      'pino-serdnam',
      'winston-cloudwatch',
    ],
  },
  {
    name: 'cpu-errors',
    title: '7b. CPU per log.error(err), all threads, Bugsnag sink on: 1,000 distinct errors',
    child: 'cpu-errors',
    cpuPerLine: { lines: 1000, delivery: 'bugsnag', shipping: ['logferry'] },
    env: { LOG_EXIT_TIMEOUT_MS: '15000' },
    contenders: ['pino', 'logferry'],
  },
  {
    // Per-request cost of request logging (bench/http.ts): on node:http, logferry with its sinks
    // on and off beside pino-http; on Fastify 5, its own request logging beside logferry's plugin
    // (network sinks off: both write JSON to stdout).
    name: 'http',
    title: '6. Request logging: CPU per request, 20,000 requests, 16 at a time',
    child: 'http',
    contenders: ['node-http', 'pino-http', 'logferry', 'logferry-stdout', 'fastify', 'fastify-logger', 'fastify-logferry'],
  },
];

/** A scenario as the bench runs it, by its name in results.json. */
export const scenarioNamed = (name: string): Scenario | undefined => SCENARIOS.find((s) => s.name === name);

/** A scenario's table title, by its name in results.json. */
export const scenarioTitle = (name: string): string => scenarioNamed(name)?.title ?? name;

const DEFAULT_ROUNDS = 5;
const roundsOf = (scenario: Scenario): number => Number(process.env.BENCH_ROUNDS ?? scenario.rounds ?? DEFAULT_ROUNDS);
const only = process.env.BENCH_SCENARIOS?.split(',');
const onlyContenders = process.env.BENCH_CONTENDERS?.split(',');

async function runChild(
  contender: Contender,
  scenario: Scenario,
  env: Record<string, string>,
  onResult?: (child: ChildProcess) => Promise<void>,
): Promise<Record<string, number>> {
  const child = spawn(process.execPath, [join(__dirname, 'child.js'), contender, scenario.child], {
    env: { ...process.env, ...env, ...scenario.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let reported = false;
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const result = await new Promise<Record<string, number>>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /BENCH_RESULT (.*)\n/.exec(stderr);
      if (match?.[1] && !reported) {
        reported = true;
        resolve(JSON.parse(match[1]));
      }
    });
    child.on('close', (code, signal) => {
      if (reported) return;
      // No result: say why, and count it, so a crash shows in the table instead of a blank.
      const lines = stderr.trim().split('\n');
      const reason = lines.find((line) => /^\w*Error\b/.test(line)) ?? lines.slice(-3).join(' | ');
      process.stderr.write(`  ${contender} ended without a result (code ${code}, signal ${signal}): ${reason.slice(0, 400)}\n`);
      resolve({ failedRuns: 1 });
    });
  });
  await onResult?.(child);
  child.kill('SIGKILL');
  clearTimeout(killer);
  return result;
}

async function main(): Promise<void> {
  const cloudwatch = await new LocalCloudWatchLogs().start();
  const bugsnag = await new LocalBugsnag().start();
  const results: Results = {};
  let runId = 0;
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    process.stderr.write(`\n${scenario.title}\n`);
    results[scenario.name] = {};
    cloudwatch.delayMs = scenario.delayMs ?? 0;
    bugsnag.delayMs = scenario.bugsnagDelayMs ?? 0;
    for (let round = 0; round < roundsOf(scenario); round++) {
      // Alternate the order each round, so no contender always runs on a warm or cold machine.
      const chosen = scenario.contenders.filter((c) => !onlyContenders || onlyContenders.includes(c));
      const order = chosen.map((_, i) => chosen[(i + round) % chosen.length] as Contender);
      for (const contender of order) {
        const group = `/bench/${scenario.name}/${contender}/${++runId}`;
        // The group exists before the service starts, as infrastructure code leaves it; each
        // contender still creates its own stream while it logs.
        cloudwatch.provisionGroup(group);
        if (scenario.down) cloudwatch.failFor('drop', 600_000);
        const env = benchChildEnv(group, cloudwatch, bugsnag);
        // Beside pino to stdout (pino-http, Fastify's own logging), logferry writes JSON to stdout too.
        if (contender === 'logferry-stdout' || contender === 'fastify-logferry') {
          delete env.CLOUDWATCH_LOG_GROUP;
          delete env.BUGSNAG_API_KEY;
        }
        let delivery: Record<string, number> = {};
        let metrics: Record<string, number>;
        if (scenario.cpuPerLine) {
          metrics = await measureCpuPerLine(contender, scenario, env, { cloudwatch, bugsnag });
        } else {
          const result = await runChild(contender, scenario, env, async () => {
            if (scenario.expectEvents) delivery = await awaitDelivery(cloudwatch, group, scenario.expectEvents);
          });
          metrics = { ...result, ...deliveryMetrics(result, delivery) };
        }
        if (scenario.down) cloudwatch.clearFaults();
        for (const [metric, value] of Object.entries(metrics)) {
          if (typeof value !== 'number') continue;
          const byContender = (results[scenario.name] as Record<string, Record<string, number[]>>)[contender] ?? {};
          const values = byContender[metric] ?? [];
          values.push(value);
          byContender[metric] = values;
          (results[scenario.name] as Record<string, Record<string, number[]>>)[contender] = byContender;
        }
        process.stderr.write(`  round ${round + 1} ${contender}: ${JSON.stringify(metrics)}\n`);
        cloudwatch.groups.delete(group);
      }
    }
  }
  // The spool's cost: its own table (docs/spool.md), not in results.json.
  const spoolTable = !only || only.includes('spool') ? await runSpoolBench(cloudwatch) : '';
  // Holding a line in a buffer scope against writing one (docs/integrations.md), also its own table.
  const bufferTable = !only || only.includes('buffer') ? runBufferCostBench() : '';
  await cloudwatch.stop();
  await bugsnag.stop();
  // A subset run (BENCH_SCENARIOS) replaces its scenarios and keeps the others' last figures.
  const resultsPath = join(__dirname, '..', '..', 'bench', 'results.json');
  const previous = only && existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')).summaries as Summaries) : {};
  const summaries: Summaries = { ...previous };
  addRatiosTo(results, 'cpu', 'cpuNsPerLine', 'pino-worker');
  for (const [scenario, byContender] of Object.entries(summarizeAll(results)))
    summaries[scenario] = { ...previous[scenario], ...byContender };
  writeFileSync(resultsPath, `${JSON.stringify({ node: process.version, summaries }, null, 2)}\n`);
  const cost = summaries.cost;
  if (cost) {
    const panel = (metric: string, title: string) => ({
      title,
      unit: 'ns',
      rows: Object.entries(cost).map(([label, metrics]) => ({ label, summary: metrics[metric] as Summary })),
    });
    writeFileSync(
      join(__dirname, '..', '..', 'bench', 'results.svg'),
      barChartSvg('App-thread cost per call', [
        panel('infoNs', "log.info({ a: 1, b: 'x' }, 'hello world'): ns per call, 200,000 calls"),
        panel('transactionalNs', 'transactional line with five fields: ns per call, 200,000 calls'),
      ]),
    );
  }
  writeBenchTablesDoc(scenarioTitle);
  process.stdout.write(formatTables(summaries, scenarioTitle));
  process.stdout.write(spoolTable);
  process.stdout.write(bufferTable);
  process.stdout.write(`\n${process.version}, ${new Date().toISOString()}\n`);
}

/**
 * Each contender's `metric` divided by `reference`'s in the same round, as `<metric>Per<Reference>`:
 * the targets of the CPU scenario are set against pino-worker, not logferry.
 */
function addRatiosTo(results: Results, scenario: string, metric: string, reference: Contender): void {
  const byContender = results[scenario];
  const base = byContender?.[reference]?.[metric];
  if (!byContender || !base) return;
  const name = `${metric}Per${reference.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`;
  for (const metrics of Object.values(byContender)) {
    const values = metrics[metric];
    if (!values || values.length !== base.length || metrics.failedRuns || byContender[reference]?.failedRuns) continue;
    metrics[name] = values.map((value, round) => value / (base[round] as number));
  }
}

/**
 * One round of a CPU-per-line scenario for one contender: the process logging 0 lines, then the
 * same logging the scenario's lines, each left to end on its own. What the server holds once the
 * process is gone is what it delivered: a contender that exits before shipping shows it.
 */
export async function measureCpuPerLine(
  contender: Contender,
  scenario: Scenario,
  env: Record<string, string>,
  servers: { cloudwatch: LocalCloudWatchLogs; bugsnag: LocalBugsnag },
): Promise<Record<string, number>> {
  const { linesFor, delivery, shipping } = scenario.cpuPerLine as NonNullable<Scenario['cpuPerLine']>;
  const lines = linesFor?.[contender] ?? (scenario.cpuPerLine?.lines as number);
  const idle = await runChild(contender, scenario, { ...env, BENCH_LINES: '0' }, waitForExit);
  const bugsnagBefore = servers.bugsnag.events.length;
  const loaded = await runChild(contender, scenario, { ...env, BENCH_LINES: String(lines) }, waitForExit);
  if (idle.cpuUs === undefined || loaded.cpuUs === undefined) return { failedRuns: 1 };
  const group = env.BENCH_GROUP as string;
  const accepted = delivery === 'cloudwatch' ? servers.cloudwatch.eventCount(group) : servers.bugsnag.events.length - bugsnagBefore;
  const appThreadNsPerLine =
    loaded.mainThreadUs !== undefined && loaded.mainThreadUs >= 0 && idle.mainThreadUs !== undefined
      ? ((loaded.mainThreadUs - idle.mainThreadUs) * 1000) / lines
      : Number.NaN;
  const cpuNsPerLine = ((loaded.cpuUs - idle.cpuUs) * 1000) / lines;
  return {
    cpuNsPerLine,
    // /proc counts in 10 ms ticks: over 200,000 lines, ±50 ns a line.
    appThreadNsPerLine,
    otherThreadsNsPerLine: cpuNsPerLine - appThreadNsPerLine,
    idleCpuMs: idle.cpuUs / 1000,
    lines,
    ...(shipping.includes(contender) ? { accepted } : {}),
  };
}

/** Until the child has exited (its result is printed from its last 'exit' listener), at most 30 s. */
function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Polls the server until the run's events are all there (at most 60 s after the child reported). */
async function awaitDelivery(server: LocalCloudWatchLogs, group: string, expected: number): Promise<Record<string, number>> {
  const deadline = Date.now() + 60_000;
  while (server.eventCount(group) < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const events = server.events(group);
  const puts = server.acceptedPuts(group);
  const fills = puts.slice(0, -1).map((put) => Math.max(put.events / 10_000, put.bytes / 1_048_576));
  return {
    accepted: events.length,
    // A loop, not Math.max(...events): a spread of 200,000 arguments overflows the stack.
    lastAcceptedAt: events.reduce((latest, event) => Math.max(latest, event.ingestionTime), Number.NEGATIVE_INFINITY),
    batchFill: fills.length ? fills.reduce((a, b) => a + b, 0) / fills.length : Number.NaN,
    requests: puts.length,
  };
}

function deliveryMetrics(result: Record<string, number>, delivery: Record<string, number>): Record<string, number> {
  if (delivery.accepted === undefined || result.startedAt === undefined || result.lastCallAt === undefined) return delivery;
  const complete = delivery.accepted >= Number(process.env.BENCH_LINES ?? 0);
  const totalMs = (delivery.lastAcceptedAt as number) - result.startedAt;
  return {
    accepted: delivery.accepted,
    batchFill: delivery.batchFill as number,
    totalMs: complete || delivery.accepted > 0 ? totalMs : Number.NaN,
    afterLastCallMs: (delivery.lastAcceptedAt as number) - result.lastCallAt,
    eventsPerSecond: (delivery.accepted as number) / (totalMs / 1000),
  };
}

if (require.main === module) {
  if (process.argv.includes('--tables-only')) writeBenchTablesDoc(scenarioTitle);
  else void main();
}
