// What withLambdaLogging adds to an invocation: the wait until every sink has delivered the
// invocation's lines, and the cost of an invocation that logged nothing. A child process runs
// the invocations; the local CloudWatch server answers in this process.
// `npm run build && node dist/bench/lambda-invocation.js` (INVOCATIONS, LINES override).
import { spawn } from 'node:child_process';
import { cloudWatchEnv } from '../test/support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';

const INVOCATIONS = Number(process.env.INVOCATIONS ?? '300');
const LINES = Number(process.env.LINES ?? '10');

interface Timings {
  logging: number[];
  idle: number[];
  bare: number[];
}

async function child(): Promise<void> {
  const { withLambdaLogging } = await import('../src/integrations/lambda.js');
  const { createLogger } = await import('../src/index.js');
  const log = createLogger('bench');
  const body = async (event: { lines: number }) => {
    for (let i = 0; i < event.lines; i++) log.info({ i }, 'a line of the invocation');
    return event.lines;
  };
  const wrapped = withLambdaLogging(body);
  let id = 0;
  const context = () => ({
    awsRequestId: `r-${++id}`,
    functionName: 'bench',
    functionVersion: '1',
    getRemainingTimeInMillis: () => 10_000,
  });
  const time = async (run: () => Promise<unknown>): Promise<number> => {
    const start = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const timings: Timings = { logging: [], idle: [], bare: [] };
  for (let round = 0; round < INVOCATIONS + 20; round++) {
    const logging = await time(() => wrapped({ lines: LINES }, context()));
    const idle = await time(() => wrapped({ lines: 0 }, context()));
    const bare = await time(() => body({ lines: 0 }));
    // The first rounds start the worker and open the connection.
    if (round < 20) continue;
    timings.logging.push(logging);
    timings.idle.push(idle);
    timings.bare.push(bare);
  }
  process.stderr.write(`timings=${JSON.stringify(timings)}\n`);
}

function runChild(env: Record<string, string>): Promise<Timings> {
  const proc = spawn(process.execPath, [__filename, 'child'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    proc.on('close', () => {
      const match = /^timings=(.*)$/m.exec(stderr);
      if (match?.[1]) resolve(JSON.parse(match[1]) as Timings);
      else reject(new Error(`no timings; stderr:\n${stderr}`));
    }),
  );
}

function percentile(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN).toFixed(3);
}

async function parent(): Promise<void> {
  const server = await new LocalCloudWatchLogs().start();
  try {
    const setups: Array<[string, Record<string, string>]> = [
      ['stdout only', { NODE_ENV: 'production', LOG_LEVEL_CONSOLE: 'info' }],
      ['stdout + CloudWatch (every line)', cloudWatchEnv(server, '/bench/lambda', { CLOUDWATCH_SCOPE: 'all', LOG_LEVEL_CONSOLE: 'info' })],
    ];
    console.log(`${INVOCATIONS} invocations of ${LINES} lines each, Node ${process.version}; ms per invocation (median / p99)`);
    console.log('| sinks | logged lines | logged nothing | handler alone |');
    console.log('|---|---|---|---|');
    for (const [name, env] of setups) {
      const timings = await runChild(env);
      const cell = (values: number[]) => `${percentile(values, 50)} / ${percentile(values, 99)}`;
      console.log(`| ${name} | ${cell(timings.logging)} | ${cell(timings.idle)} | ${cell(timings.bare)} |`);
    }
  } finally {
    await server.stop();
  }
}

void (process.argv[2] === 'child' ? child() : parent());
