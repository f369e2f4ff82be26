// The log worker's cost per line, alone: the router runs on this process's main thread, fed
// 64 KiB chunks of real pino lines the way thread-stream's worker feeds it (one write per chunk,
// the next chunk on the next turn), with the sinks of the production profile shipping to the
// local CloudWatch server, which runs in the parent process so its CPU is not counted.
// Prints CPU per line of the worker's part, and with HARNESS_PROFILE=dir writes a V8 CPU profile
// of just that part (node:inspector, started after the lines are made and the sinks have loaded):
// where a line's worker time goes, function by function (bench/profile-summary.ts reads it).
//
//   npm run build && node dist/bench/worker-harness.js [lines] [stdout|cloudwatch|both|all]
// `both` is stdout and CloudWatch; `all` adds the Bugsnag sink (every line a breadcrumb), as the
// bench's logferry contender runs.
//   HARNESS_PROFILE=/tmp/prof node dist/bench/worker-harness.js 200000 both
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import pino from 'pino';
import { loadConfig } from '../src/config/load-config.js';
import { planSinks } from '../src/handover/sink-plan.js';
import { flushMarkerLine, sharedBufferBytes, sinkSlot, viewSharedState } from '../src/wire/protocol.js';
import { TEST_BUGSNAG_KEY } from '../test/support/bugsnag-env.js';
import { LocalBugsnag } from '../test/support/bugsnag-receiver.js';
import { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';
import routerTransport from '../transports/router/index.js';
import { logCpuLine } from './cpu.js';

const CHUNK_CHARS = 64 * 1024;

/**
 * The lines the CPU scenario logs, as logferry's pino writes them, joined into hand-over chunks,
 * held as the bytes thread-stream's shared buffer holds (the feed decodes them, as its worker does).
 */
function makeChunks(count: number): Buffer[] {
  const chunks: Buffer[] = [];
  let pending = '';
  const root = pino(
    {},
    {
      write: (line: string) => {
        pending += line;
      },
    },
  );
  const log = root.child({ module: 'bench', service: 'api' });
  const bench = { info: (fields: Record<string, unknown>, message: string) => log.info(fields, message), transactional() {}, error() {} };
  for (let i = 0; i < count; i++) {
    logCpuLine(bench, i);
    if (pending.length >= CHUNK_CHARS) {
      chunks.push(Buffer.from(pending));
      pending = '';
    }
  }
  if (pending) chunks.push(Buffer.from(pending));
  return chunks;
}

async function runRouter(lines: number, sinks: string, group: string, bugsnagUrls: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', LOG_EXIT_TIMEOUT_MS: '15000' };
  if (sinks === 'all') {
    const [notify, sessions] = bugsnagUrls as [string, string];
    Object.assign(env, { BUGSNAG_API_KEY: TEST_BUGSNAG_KEY, BUGSNAG_ENDPOINT_NOTIFY: notify, BUGSNAG_ENDPOINT_SESSIONS: sessions });
  }
  if (sinks !== 'stdout') {
    Object.assign(env, {
      CLOUDWATCH_LOG_GROUP: group,
      CLOUDWATCH_LOG_STREAM: 'harness',
      CLOUDWATCH_SCOPE: 'all',
    });
  }
  const sharedBuffer = new SharedArrayBuffer(sharedBufferBytes());
  const config = loadConfig(env);
  const planned = planSinks(config, { sharedBuffer, exitTimeoutMs: 15_000 });
  const routes = sinks === 'cloudwatch' ? planned.routes.filter((route) => route.sink === 'cloudwatch') : planned.routes;
  const chunks = makeChunks(lines);
  const stream = routerTransport({ routes }) as unknown as Writable;
  // Let the sinks start (the SDK loads, the stream is created) before the clock starts, as the bench does.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const profiler = await startProfiler();
  const start = process.cpuUsage();
  const faultsAtStart = process.resourceUsage().minorPageFault;
  const startedAt = performance.now();
  const decoder = new StringDecoder('utf8');
  for (const chunk of chunks) {
    if (!stream.write(decoder.write(chunk))) await new Promise((resolve) => stream.once('drain', resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
  // A flush marker, answered by every sink once all lines before it are delivered.
  stream.write(flushMarkerLine(1));
  const shared = viewSharedState(sharedBuffer);
  for (const route of routes) {
    const slot = sinkSlot(route.sink);
    while (Atomics.load(shared.acks, slot) < 1) await Atomics.waitAsync(shared.acks, slot, Atomics.load(shared.acks, slot), 30_000).value;
  }
  const used = process.cpuUsage(start);
  const pageFaultsPerLine = (process.resourceUsage().minorPageFault - faultsAtStart) / lines;
  const wallMs = performance.now() - startedAt;
  await profiler?.stop();
  stream.end();
  await new Promise((resolve) => stream.once('close', resolve));
  const cpuNsPerLine = ((used.user + used.system) * 1000) / lines;
  process.stderr.write(
    `HARNESS_RESULT ${JSON.stringify({ lines, sinks, cpuNsPerLine, sysNsPerLine: (used.system * 1000) / lines, pageFaultsPerLine, wallMs, linesPerSecond: lines / (wallMs / 1000) })}\n`,
  );
}

/** A CPU profile of this thread from now until stop(), written to HARNESS_PROFILE, or undefined when not asked for. */
async function startProfiler(): Promise<{ stop(): Promise<void> } | undefined> {
  const dir = process.env.HARNESS_PROFILE;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(join(dir, `worker-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'child') {
    const [lines, sinks, endpoint, group, ...bugsnagUrls] = rest as [string, string, string, string, string, string];
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = endpoint;
    await runRouter(Number(lines), sinks, group, bugsnagUrls);
    return;
  }
  const lines = Number(mode ?? '200000');
  const sinks = rest[0] ?? 'both';
  const server = await new LocalCloudWatchLogs().start();
  const bugsnag = await new LocalBugsnag().start();
  const group = '/harness';
  server.provisionGroup(group);
  const args = [__filename, 'child', String(lines), sinks, server.url, group, bugsnag.notifyUrl, bugsnag.sessionsUrl];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'harness-key-id',
      AWS_SECRET_ACCESS_KEY: 'harness-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const match = /HARNESS_RESULT (.*)\n/.exec(stderr);
  if (!match?.[1]) throw new Error(`harness child ended without a result: ${stderr.slice(-800)}`);
  const result = JSON.parse(match[1]) as Record<string, number>;
  process.stdout.write(`${JSON.stringify({ ...result, accepted: server.eventCount(group) })}\n`);
  await Promise.all([server.stop(), bugsnag.stop()]);
}

void main();
