import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claimName, encodeRecord, formatOwner, SEGMENT_MAGIC, segmentName } from '../src/wire/spool-format.js';
import { ownPidNamespace } from '../src/wire/spool-owner.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { type SpoolAppRun, startSpoolApp } from './support/spool-process.js';
import { waitFor } from './support/wait-for.js';

// With the spool on, the disk is the queue: spools left by several killed processes, together far
// larger than the memory queue, are all shipped by the next process, every line exactly once
// (issue 27's reproduction: five SIGKILLs during an outage, then a healthy endpoint).

type Run = SpoolAppRun;

/** Starts the spool fixture; `shell` runs first in `sh -c` (for a file-size limit). */
function start(mode: string, env: Record<string, string>, shell?: string): Run {
  return startSpoolApp(mode, env, { ...(shell !== undefined ? { shell } : {}), timeoutMs: 120_000 });
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

  it('drops by a process SIGKILLed before it could report them are reported by its adopter: how many, when logged, by which pid', async () => {
    const dir = join(root, 'spool-drops');
    const group = `/logferry/spool-drops-${process.pid}`;
    const options = JSON.stringify({ cloudwatch: { logGroupName: group, logStreamName: 'test-stream', maxQueueBytes: MAX_QUEUE_BYTES } });
    const env = { PATH: process.env.PATH ?? '', ...cloudWatchEnv(down, group), LOG_SPOOL_DIR: dir, LOGFERRY_TEST_OPTIONS: options };
    const startedAt = Date.now();
    // A file-size limit turns the spool off early: the 20 MB of lines after it are in memory only,
    // and the 2 MiB queue drops most of them while the endpoint is down.
    const first = start('hold', { ...env, LINES: '20000', PAD_BYTES: '1000' }, 'ulimit -f 64');
    await waitFor('the first process to log', () => first.stderr().includes('fixture-ready'), 60_000);
    const stateFile = () => readdirSync(dir).find((name) => name.startsWith('state-') && name.endsWith('.json'));
    const keptDrops = () => {
      const name = stateFile();
      return name ? (JSON.parse(readFileSync(join(dir, name), 'utf8')).drops?.count ?? 0) : 0;
    };
    // The state is written at each attempt; wait until it holds every drop (the worker has seen every line).
    await waitFor('the drops to be kept in the state file', () => keptDrops() > 15_000, 60_000);
    const pid = first.child.pid;
    first.child.kill('SIGKILL');
    await first.done;
    const kept = keptDrops();

    const next = start('count', { ...env, ...cloudWatchEnv(healthy, group), LINES: '0' });
    assert.equal((await next.done).code, 0, next.stderr());
    const report = healthy.messages(group).find((message) => typeof message.droppedLines === 'number');
    assert.ok(report, 'no drop report arrived');
    assert.equal(report.droppedLines, kept);
    assert.equal(report.droppedByPid, pid);
    assert.equal(report.droppedLogStream, 'test-stream');
    const loggedFrom = Date.parse(String(report.droppedLoggedFrom));
    assert.ok(loggedFrom >= startedAt - 1000 && loggedFrom <= Date.parse(String(report.droppedFrom)), JSON.stringify(report));
    assert.match(String(report.msg), new RegExp(`by pid ${pid} on `));
  });

  it('copies a request cut off at the exit deadline may have stored are counted once, by the adopter that sends the lines again', async () => {
    const dir = join(root, 'spool-cut-off');
    const group = `/logferry/spool-cut-off-${process.pid}`;
    const env = { PATH: process.env.PATH ?? '', ...cloudWatchEnv(healthy, group), LOG_SPOOL_DIR: dir };
    // Stored at once, answered only after the exit deadline: the request is cut off while it may be stored.
    healthy.failNext('late-answer', 1, 'PutLogEvents');
    const first = start('count', { ...env, LINES: '300', FLUSH_TIMEOUT_MS: '300', LOG_EXIT_TIMEOUT_MS: '1000' });
    assert.equal((await first.done).code, 0, first.stderr());
    assert.equal(healthy.eventCount(group), 300);
    // The state file says the cut-off attempt may have stored the batch; the process itself does not count it.
    assert.doesNotMatch(first.stderr(), /cut off at the exit deadline may have been stored/);

    const second = start('count', { ...env, LINES: '0' });
    assert.equal((await second.done).code, 0, second.stderr());
    const stats = JSON.parse(/^stats=(.*)$/m.exec(second.stderr())?.[1] ?? '{}').cloudwatch;
    assert.equal(stats.recovered, 300);
    const seqs = new Set(healthy.messages(group).map((message) => message.seq));
    assert.equal(seqs.size, 300);
    assert.equal(healthy.eventCount(group), 600, 'each line stored twice');
    assert.equal(stats.possibleDuplicates, 300, 'the 300 extra copies, counted by the adopter');
  });

  it('an adopter killed before it sends a dead batch again leaves it counted once: its count is in its state, and the next adopter does not count it again', async () => {
    const dir = join(root, 'spool-recount');
    const group = `/logferry/spool-recount-${process.pid}`;
    const stalling = await new LocalCloudWatchLogs().start();
    try {
      // Every call held 5 s: the second process never gets to send, so its own attempts put nothing at risk.
      stalling.failFor('stall', 600_000);
      const env = { PATH: process.env.PATH ?? '', ...cloudWatchEnv(healthy, group), LOG_SPOOL_DIR: dir };
      const stateOf = (pid: number | undefined) => {
        const name = readdirSync(dir).find((file) => file.startsWith('state-') && file.includes(`-${pid}-`) && file.endsWith('.json'));
        return name ? (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { copies?: number; ownerPossibleDuplicates?: number }) : {};
      };
      // The first process's batch is stored at once, its answer held 5 s: it is killed while that batch may be stored.
      healthy.failNext('late-answer', 1, 'PutLogEvents');
      const first = start('hold', { ...env, LINES: '300' });
      await waitFor('the batch to be stored', () => healthy.eventCount(group) === 300, 30_000);
      await waitFor('its state to say so', () => stateOf(first.child.pid).copies === 1, 10_000);
      first.child.kill('SIGKILL');
      await first.done;

      // The second adopts the spool, counts the 300 copies, and is killed before it could send them again.
      const second = start('hold', { ...env, ...cloudWatchEnv(stalling, group), LINES: '0' });
      await waitFor(
        'the adoption to be counted and kept',
        () => stateOf(second.child.pid).ownerPossibleDuplicates === 300 && stateOf(first.child.pid).copies === 0,
        10_000,
      );
      second.child.kill('SIGKILL');
      await second.done;

      const third = start('count', { ...env, LINES: '0' });
      assert.equal((await third.done).code, 0, third.stderr());
      const stats = JSON.parse(/^stats=(.*)$/m.exec(third.stderr())?.[1] ?? '{}').cloudwatch;
      assert.equal(stats.recovered, 300);
      assert.equal(healthy.eventCount(group), 600, 'each line stored twice');
      // 300 extra copies, counted once: by the second process (kept in its state file), not again by the third.
      assert.equal(stats.possibleDuplicates, 0, third.stderr());
    } finally {
      await stalling.stop();
    }
  });

  it('forty dead spools, four times the memory queue together, are all shipped once beside the lines of the new process', async () => {
    const dir = join(root, 'spool-many');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const group = `/logferry/spool-many-${process.pid}`;
    const pad = 'q'.repeat(1000);
    for (let k = 0; k < 40; k++) {
      // The test runner's pid with start times it never had: processes that are gone.
      const owner = formatOwner(hostname(), process.pid, String(k + 1), ownPidNamespace());
      writeFileSync(join(dir, claimName(owner, owner)), '', { mode: 0o600 });
      for (let segment = 0; segment < 2; segment++) {
        const records = Array.from({ length: 100 }, (_, i) => {
          const seq = 1_000_000 + k * 1000 + segment * 100 + i;
          return encodeRecord(
            `{"level":30,"time":${Date.now() - 60_000},"channel":"transactional","seq":${seq},"pad":"${pad}","msg":"dead"}`,
          );
        });
        writeFileSync(join(dir, segmentName(owner, segment)), Buffer.concat([SEGMENT_MAGIC, ...records]), { mode: 0o600 });
      }
    }
    assert.ok(spoolBytes(dir) > 4 * MAX_QUEUE_BYTES);
    const options = JSON.stringify({ cloudwatch: { logGroupName: group, logStreamName: 'test-stream', maxQueueBytes: MAX_QUEUE_BYTES } });
    const run = start('count', {
      PATH: process.env.PATH ?? '',
      ...cloudWatchEnv(healthy, group),
      LOG_SPOOL_DIR: dir,
      LOGFERRY_TEST_OPTIONS: options,
      LINES: '500',
      PAD_BYTES: '1000',
    });
    assert.equal((await run.done).code, 0, run.stderr());
    const stats = JSON.parse(/^stats=(.*)$/m.exec(run.stderr())?.[1] ?? '{}').cloudwatch;
    const seqs = healthy.messages(group).map((message) => message.seq as number);
    assert.equal(new Set(seqs).size, 8500);
    assert.equal(seqs.length, 8500, 'each line once');
    assert.deepEqual([stats.recovered, stats.dropped, stats.possibleDuplicates], [8000, 0, 0]);
    assert.deepEqual(readdirSync(dir), []);
  });
});
