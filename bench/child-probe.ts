// Looks inside one bench child while it runs, for what the bench's tables cannot show:
//   node dist/bench/child-probe.js memory [lines]   scenario 5's child (endpoint down): its RSS every
//     20 ms, the process's memory map at the RSS peak grouped by mapping size, and each V8 heap's
//     largest committed size from --trace-gc;
//   node dist/bench/child-probe.js timeline [lines] scenario 3's child: when its loop ended and
//     when the server accepted each PutLogEvents request, in ms after the first call;
//   node dist/bench/child-probe.js scale [rounds]   scenario 7's child, pino-worker and logferry
//     shipping every line, at 200,000 and at 1,000,000 lines: whether the CPU per line is the lines'
//     or a fixed cost of the process (JIT, first requests) spread over them.
// Linux only (/proc). One run of logferry each; docs/performance.md says what the figures meant.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBugsnag } from '../test/support/bugsnag-receiver.js';
import { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';
import { benchChildEnv } from './child-env.js';
import type { Contender } from './contenders.js';
import { measureCpuPerLine, scenarioNamed } from './run.js';

interface ChildRun {
  /** The lines of the child's stdout that start as V8's --trace-gc lines do; its log lines are read and let go. */
  traceGc: string;
  result: Record<string, number>;
}

async function runChild(
  scenario: string,
  env: Record<string, string>,
  nodeFlags: string[],
  whileRunning?: (pid: number) => () => void,
): Promise<ChildRun> {
  const child = spawn(process.execPath, [...nodeFlags, join(__dirname, 'child.js'), 'logferry', scenario], {
    env: { ...process.env, ...env },
    // As in the bench, the log lines go to /dev/null, unless stdout carries --trace-gc's lines.
    stdio: ['ignore', nodeFlags.includes('--trace-gc') ? 'pipe' : 'ignore', 'pipe'],
  });
  let traceGc = '';
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('[')) traceGc += `${line}\n`;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = child.pid === undefined ? undefined : whileRunning?.(child.pid);
  await new Promise((resolve) => child.on('close', resolve));
  stop?.();
  const match = /BENCH_RESULT (.*)\n/.exec(stderr);
  if (!match?.[1]) throw new Error(`the child gave no result: ${stderr.slice(-400)}`);
  return { traceGc, result: JSON.parse(match[1]) as Record<string, number> };
}

/** The mappings of /proc/<pid>/smaps as (size in KiB, name, resident KiB). */
function mappings(smaps: string): Array<{ sizeKiB: number; name: string; rssKiB: number }> {
  const found: Array<{ sizeKiB: number; name: string; rssKiB: number }> = [];
  for (const line of smaps.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const sizeKiB = (Number.parseInt(header[2] as string, 16) - Number.parseInt(header[1] as string, 16)) / 1024;
      found.push({ sizeKiB, name: header[3] || '[anonymous]', rssKiB: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const last = found.at(-1);
    if (rss && last) last.rssKiB = Number(rss[1]);
  }
  return found;
}

/** Resident MiB by kind of mapping: V8 allocates its regular heap pages 256 KiB at a time, large objects and Buffers in mappings of their own. */
function groupedMap(smaps: string): string {
  const groups = new Map<string, { count: number; rssKiB: number }>();
  for (const { sizeKiB, name, rssKiB } of mappings(smaps)) {
    const size = sizeKiB >= 1024 ? `${Math.round(sizeKiB / 1024)} MiB` : `${Math.round(sizeKiB)} KiB`;
    const key = name.startsWith('/') ? 'files (node, libraries)' : `${name} ${size}`;
    const group = groups.get(key) ?? { count: 0, rssKiB: 0 };
    group.count++;
    group.rssKiB += rssKiB;
    groups.set(key, group);
  }
  return [...groups]
    .filter(([, group]) => group.rssKiB >= 1024)
    .sort((a, b) => b[1].rssKiB - a[1].rssKiB)
    .map(([key, group]) => `| ${key} | ${group.count} | ${(group.rssKiB / 1024).toFixed(1)} |`)
    .join('\n');
}

/** Each isolate's largest committed heap in --trace-gc's lines, and its collections by kind. */
function heapsFromTraceGc(trace: string): string {
  const isolates = new Map<string, { committedMB: number; collections: Map<string, number> }>();
  for (const line of trace.split('\n')) {
    const match = /\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (\S+)[^\d]*[\d.]+ \(([\d.]+)\) -> [\d.]+ \(([\d.]+)\) MB/.exec(line);
    if (!match) continue;
    const isolate = isolates.get(match[1] as string) ?? { committedMB: 0, collections: new Map<string, number>() };
    isolate.committedMB = Math.max(isolate.committedMB, Number(match[3]), Number(match[4]));
    isolate.collections.set(match[2] as string, (isolate.collections.get(match[2] as string) ?? 0) + 1);
    isolates.set(match[1] as string, isolate);
  }
  return [...isolates.values()]
    .map(
      (isolate, i) =>
        `isolate ${i + 1}: largest committed heap ${isolate.committedMB} MB, ${[...isolate.collections].map(([kind, n]) => `${n} ${kind}`).join(', ')}`,
    )
    .join('\n');
}

async function probeMemory(cloudwatch: LocalCloudWatchLogs, bugsnag: LocalBugsnag, lines: number): Promise<void> {
  const group = '/bench/probe/memory';
  cloudwatch.provisionGroup(group);
  cloudwatch.failFor('drop', 600_000);
  let peak = { rssMiB: 0, atMs: 0, smaps: '' };
  const startedAt = Date.now();
  const run = await runChild(
    'memory',
    { ...benchChildEnv(group, cloudwatch, bugsnag), BENCH_LINES: String(lines), BENCH_OBSERVE_MS: '5000' },
    ['--trace-gc'],
    (pid) => {
      const timer = setInterval(() => {
        try {
          const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
          if (rssMiB > peak.rssMiB) peak = { rssMiB, atMs: Date.now() - startedAt, smaps: readFileSync(`/proc/${pid}/smaps`, 'utf8') };
        } catch {
          // The child has ended between two samples.
        }
      }, 20);
      return () => clearInterval(timer);
    },
  );
  cloudwatch.clearFaults();
  const { idleRssMiB, growthMiB } = run.result as { idleRssMiB: number; growthMiB: number };
  process.stdout.write(
    `${lines} lines, endpoint down: idle ${idleRssMiB.toFixed(0)} MiB, peak − idle ${growthMiB.toFixed(0)} MiB; ` +
      `sampled peak ${peak.rssMiB.toFixed(0)} MiB at ${peak.atMs} ms\n\n| mapping | count | resident MiB |\n|---|---|---|\n` +
      `${groupedMap(peak.smaps)}\n\n${heapsFromTraceGc(run.traceGc)}\n`,
  );
}

async function probeTimeline(cloudwatch: LocalCloudWatchLogs, bugsnag: LocalBugsnag, lines: number): Promise<void> {
  const group = '/bench/probe/timeline';
  cloudwatch.provisionGroup(group);
  const { result } = await runChild(
    'e2e',
    { ...benchChildEnv(group, cloudwatch, bugsnag), BENCH_LINES: String(lines), BENCH_OBSERVE_MS: '3000' },
    [],
  );
  const startedAt = result.startedAt as number;
  const puts = cloudwatch.acceptedPuts(group);
  const accepted = puts.reduce((sum, put) => sum + put.events, 0);
  const lastAt = (puts.at(-1)?.at ?? Number.NaN) - startedAt;
  process.stdout.write(
    `${lines} lines: loop ended at ${(result.lastCallAt as number) - startedAt} ms; ${accepted} accepted, the last at ${lastAt} ms ` +
      `(${Math.round(accepted / (lastAt / 1000))} events/s)\naccepted requests (ms after the first call: events): ` +
      `${puts.map((put) => `${put.at - startedAt}: ${put.events}`).join(', ')}\n`,
  );
}

/** Scenario 7's figure (bench/run.ts's own measurement) for `lines` instead of its 200,000. */
async function cpuPerLine(cloudwatch: LocalCloudWatchLogs, bugsnag: LocalBugsnag, contender: Contender, lines: number): Promise<string> {
  const cpu = scenarioNamed('cpu');
  if (!cpu?.cpuPerLine) throw new Error('bench/run.ts has no cpu scenario');
  const group = `/bench/probe/scale/${contender}/${lines}/${Date.now()}`;
  cloudwatch.provisionGroup(group);
  const scenario = { ...cpu, cpuPerLine: { ...cpu.cpuPerLine, lines } };
  const figures = await measureCpuPerLine(contender, scenario, benchChildEnv(group, cloudwatch, bugsnag), { cloudwatch, bugsnag });
  const accepted = figures.accepted === undefined ? '' : `, ${figures.accepted} accepted`;
  return `${lines}: ${Math.round(figures.cpuNsPerLine as number)} ns (app thread ${Math.round(figures.appThreadNsPerLine as number)}${accepted})`;
}

async function probeScale(cloudwatch: LocalCloudWatchLogs, bugsnag: LocalBugsnag, rounds: number): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    for (const contender of ['pino-worker', 'logferry'] as const) {
      const figures = [
        await cpuPerLine(cloudwatch, bugsnag, contender, 200_000),
        await cpuPerLine(cloudwatch, bugsnag, contender, 1_000_000),
      ];
      process.stdout.write(`round ${round}, ${contender}: CPU per line at ${figures.join('; at ')}\n`);
    }
  }
}

async function main(): Promise<void> {
  const [mode, linesArgument] = process.argv.slice(2);
  const cloudwatch = await new LocalCloudWatchLogs().start();
  const bugsnag = await new LocalBugsnag().start();
  try {
    if (mode === 'memory') await probeMemory(cloudwatch, bugsnag, Number(linesArgument ?? 1_000_000));
    else if (mode === 'timeline') await probeTimeline(cloudwatch, bugsnag, Number(linesArgument ?? 100_000));
    else if (mode === 'scale') await probeScale(cloudwatch, bugsnag, Number(linesArgument ?? 2));
    else throw new Error('usage: node dist/bench/child-probe.js memory [lines] | timeline [lines] | scale [rounds]');
  } finally {
    await cloudwatch.stop();
    await bugsnag.stop();
  }
}

void main();
