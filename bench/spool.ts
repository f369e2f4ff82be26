// The spool's cost (docs/spool.md): the same transactional loop with the spool off, on, and on
// with fsync, alternating, each in a process of its own, against the local CloudWatch server.
// Run alone with `BENCH_SCENARIOS=spool npm run bench`; BENCH_ROUNDS sets the rounds (5).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';

interface Variant {
  name: string;
  env: Record<string, string>;
  lines: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function runOnce(variant: Variant, env: Record<string, string>): Promise<Record<string, number>> {
  const child = spawn(process.execPath, [join(__dirname, 'spool-child.js')], {
    env: { ...process.env, ...env, ...variant.env, BENCH_LINES: String(variant.lines) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', () => {
      clearTimeout(killer);
      const match = /BENCH_RESULT (.*)\n/.exec(stderr);
      if (match?.[1]) resolve(JSON.parse(match[1]));
      else reject(new Error(`spool bench ${variant.name} gave no result: ${stderr.slice(-500)}`));
    });
  });
}

/** Runs the spool scenario and returns its table as Markdown. */
export async function runSpoolBench(cloudwatch: LocalCloudWatchLogs): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'logferry-bench-spool-'));
  const spoolDir = join(dir, 'spool');
  const variants: Variant[] = [
    { name: 'spool off', env: {}, lines: 100_000 },
    { name: 'spool on', env: { LOG_SPOOL_DIR: spoolDir }, lines: 100_000 },
    { name: 'pino, sync write to a file (a log agent tails it)', env: { BENCH_FILE: join(dir, 'agent-input.log') }, lines: 100_000 },
    // One disk flush per line: fewer lines, or the run takes minutes on a slow disk.
    {
      name: 'spool on + fsync',
      env: { LOG_SPOOL_DIR: spoolDir, LOG_SPOOL_FSYNC: 'true' },
      lines: Number(process.env.BENCH_FSYNC_LINES ?? '5000'),
    },
  ];
  const rounds = Number(process.env.BENCH_ROUNDS ?? '5');
  const results = new Map<string, Array<Record<string, number>>>();
  cloudwatch.delayMs = 0;
  process.stderr.write('\nSpool: transactional line, spool off / on / on + fsync\n');
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(i + round) % variants.length] as Variant;
        const group = `/bench/spool/${round}/${i}`;
        cloudwatch.provisionGroup(group);
        const result = await runOnce(variant, {
          NODE_ENV: 'production',
          NODE_NO_WARNINGS: '1',
          LOG_LEVEL_CONSOLE: 'fatal',
          CLOUDWATCH_LOG_GROUP: group,
          CLOUDWATCH_LOG_STREAM: 'bench',
          AWS_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudwatch.url,
          AWS_ACCESS_KEY_ID: 'bench-key-id',
          AWS_SECRET_ACCESS_KEY: 'bench-secret',
          AWS_EC2_METADATA_DISABLED: 'true',
        });
        cloudwatch.groups.delete(group);
        process.stderr.write(`  round ${round + 1} ${variant.name}: ${JSON.stringify(result)}\n`);
        results.set(variant.name, [...(results.get(variant.name) ?? []), result]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (variant: Variant) => {
    const runs = results.get(variant.name) ?? [];
    const figure = (metric: string) => {
      const values = runs.map((run) => run[metric] as number);
      return `${Math.round(median(values)).toLocaleString('en-US')} (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`;
    };
    return `| ${variant.name} | ${variant.lines.toLocaleString('en-US')} | ${figure('transactionalNs')} | ${figure('bestTenthNs')} | ${figure('cpuNsPerLine')} |`;
  };
  return [
    '',
    `### Spool: transactional line, median (min–max) of ${rounds} rounds`,
    '',
    '| variant | lines | app thread ns/call | best tenth of the loop, ns/call | CPU ns/line, all threads, until accepted (pino: the write only) |',
    '|---|---|---|---|---|',
    ...variants.map(row),
    '',
  ].join('\n');
}
