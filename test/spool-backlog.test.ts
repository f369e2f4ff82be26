import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { fixturePath } from './support/run-fixture.js';
import { waitFor } from './support/wait-for.js';

// With the spool on, the disk is the queue: spools left by several killed processes, together far
// larger than the memory queue, are all shipped by the next process, every line exactly once
// (issue 27's reproduction: five SIGKILLs during an outage, then a healthy endpoint).

interface Run {
  child: ChildProcess;
  reported: () => number[];
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(mode: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [fixturePath('spool-app'), mode], { env, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  let seqs = '';
  let stderr = '';
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    seqs += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    reported: () => (seqs.endsWith('\n') ? seqs : seqs.slice(0, seqs.lastIndexOf('\n') + 1)).split('\n').filter(Boolean).map(Number),
    stderr: () => stderr,
    done,
  };
}

function spoolBytes(dir: string): number {
  return readdirSync(dir)
    .filter((name) => name.startsWith('spool-'))
    .reduce((sum, name) => sum + (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0), 0);
}

const MAX_QUEUE_BYTES = 2 * 1024 * 1024;

describe('the disk is the queue', () => {
  let down: LocalCloudWatchLogs;
  let healthy: LocalCloudWatchLogs;
  let root: string;
  before(async () => {
    down = await new LocalCloudWatchLogs().start();
    down.failFor('500', 600_000);
    healthy = await new LocalCloudWatchLogs().start();
    root = mkdtempSync(join(tmpdir(), 'logferry-spool-backlog-'));
  });
  after(async () => {
    await down.stop();
    await healthy.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('four processes SIGKILLed during an outage leave spools over the memory queue; the next one ships every line once', async (t) => {
    const dir = join(root, 'spool');
    const group = `/logferry/spool-backlog-${process.pid}`;
    const options = JSON.stringify({ cloudwatch: { logGroupName: group, logStreamName: 'test-stream', maxQueueBytes: MAX_QUEUE_BYTES } });
    const reported: number[] = [];
    for (let k = 0; k < 4; k++) {
      // Each process's own lines also outgrow its queue while the endpoint is down.
      const env = {
        PATH: process.env.PATH ?? '',
        ...cloudWatchEnv(down, group),
        LOG_SPOOL_DIR: dir,
        LOGFERRY_TEST_OPTIONS: options,
        RATE: '2000',
        PAD_BYTES: '1000',
        SEQ_FROM: String(k * 1_000_000),
      };
      const run = start('steady', env);
      await waitFor(`process ${k} to log 2,600 lines`, () => run.reported().length >= 2600, 30_000);
      run.child.kill('SIGKILL');
      assert.equal((await run.done).signal, 'SIGKILL');
      reported.push(...run.reported());
    }
    const onDisk = spoolBytes(dir);
    assert.ok(onDisk > 2 * MAX_QUEUE_BYTES, `${onDisk} bytes on disk, not over twice the memory queue`);
    assert.equal(down.eventCount(group), 0);

    const next = start('count', {
      PATH: process.env.PATH ?? '',
      ...cloudWatchEnv(healthy, group),
      LOG_SPOOL_DIR: dir,
      LOGFERRY_TEST_OPTIONS: options,
      LINES: '0',
      FLUSH_TIMEOUT_MS: '60000',
    });
    assert.equal((await next.done).code, 0, next.stderr());
    const stats = JSON.parse(/^stats=(.*)$/m.exec(next.stderr())?.[1] ?? '{}').cloudwatch;
    const messages = healthy.messages(group);
    const arrived = new Map<number, number>();
    for (const message of messages) arrived.set(message.seq as number, (arrived.get(message.seq as number) ?? 0) + 1);
    const missing = reported.filter((seq) => !arrived.has(seq));
    const twice = [...arrived].filter(([, copies]) => copies > 1);
    t.diagnostic(`${onDisk} bytes on disk; ${reported.length} reported, ${messages.length} arrived, stats ${JSON.stringify(stats)}`);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${reported.length} reported lines missing`);
    assert.deepEqual(twice.slice(0, 10), [], `${twice.length} lines arrived more than once`);
    // A line whose log call returned but whose seq the kill kept off the pipe arrives too: at most one per process.
    assert.ok(messages.length - reported.length <= 4, `${messages.length} arrived for ${reported.length} reported`);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.recovered, messages.length);
    assert.equal(stats.possibleDuplicates, 0);
    assert.deepEqual(readdirSync(dir), []);
  });
});
