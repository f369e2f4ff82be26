// What holding a line costs the app's thread against writing one (docs/integrations.md#what-buffering-costs):
// each mode runs in a process of its own (one root per process), alternating, BENCH_ROUNDS rounds;
// JSON goes to stdout, which the parent sends to /dev/null. Every call is made inside a
// withLogBuffer scope of 20 calls (a request's worth), so scope costs are counted too.
// Run: `npm run bench` (BENCH_SCENARIOS=buffer for this table alone), or `node dist/bench/buffer-cost.js`.
import { spawnSync } from 'node:child_process';

const MODES = {
  /** log.info outside any scope (no context): scenario 1's line, for reference. */
  'info written, outside a scope': { env: {}, call: 'info-bare' },
  /** log.info at LOG_LEVEL=info, buffering off: the ordinary written line. */
  'info written, buffering off': { env: {}, call: 'info' },
  /** log.info with buffering on: a written line pays nothing for buffering. */
  'info written, buffering on': { env: { LOG_BUFFER_LEVEL: 'debug' }, call: 'info' },
  /** log.debug held in its scope (discarded when the scope ends). */
  'debug held, buffering on': { env: { LOG_BUFFER_LEVEL: 'debug' }, call: 'debug' },
  /** log.debug with buffering off: pino's no-op. */
  'debug dropped, buffering off': { env: {}, call: 'debug' },
} as const;
type Mode = keyof typeof MODES;

const CALLS = 200_000;
const SCOPE_CALLS = 20;

async function child(mode: string): Promise<void> {
  const { createLogger, withLogBuffer } = await import('../src/index.js');
  const log = createLogger('bench', { service: 'api' });
  const call = mode === 'debug' ? 'debug' : 'info';
  const calls = (from: number) => {
    for (let i = from; i < from + SCOPE_CALLS; i++) log[call]({ a: 1, b: 'x', i }, 'hello world');
  };
  const batch = mode === 'info-bare' ? calls : (from: number) => withLogBuffer(() => calls(from));
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let i = 0; i < 20_000; i += SCOPE_CALLS) batch(i);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i += SCOPE_CALLS) batch(i);
  const ns = Number(process.hrtime.bigint() - start) / CALLS;
  process.stderr.write(`BUFFER_COST ${ns}\n`);
}

/** Runs every mode, alternating, and returns the table (Markdown) of ns per call. */
export function runBufferCostBench(): string {
  const rounds = Number(process.env.BENCH_ROUNDS ?? '5');
  const figures: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [mode, { env, call }] of Object.entries(MODES) as Array<[Mode, (typeof MODES)[Mode]]>) {
      const run = spawnSync(process.execPath, [__filename, call], {
        env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      });
      const ns = Number(/BUFFER_COST (\S+)/.exec(run.stderr)?.[1]);
      if (!Number.isFinite(ns)) throw new Error(`${mode}: ${run.stderr}`);
      figures[mode] = [...(figures[mode] ?? []), ns];
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  let table = `\n### Holding a line against writing one\n\n| call (in a scope of ${SCOPE_CALLS} calls) | ns per call, median of ${rounds} | rounds |\n|---|---|---|\n`;
  for (const [mode, values] of Object.entries(figures)) {
    table += `| ${mode} | ${median(values).toFixed(0)} | ${values.map((v) => v.toFixed(0)).join(', ')} |\n`;
  }
  return table;
}

if (require.main === module) {
  const mode = process.argv[2];
  if (mode === undefined) process.stdout.write(runBufferCostBench());
  else void child(mode);
}
