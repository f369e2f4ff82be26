import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claimName, encodeRecord, formatOwner, SEGMENT_MAGIC, segmentName } from '../src/wire/spool-format.js';
import { ownPidNamespace } from '../src/wire/spool-owner.js';
import { SpoolFiles } from '../transports/cloudwatch/spool/spool-files.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { type SpoolAppRun, startSpoolApp } from './support/spool-process.js';
import { waitFor } from './support/wait-for.js';

// The spool's promise, tested with real processes against the local CloudWatch server: a line
// whose log call returned reaches CloudWatch even when the process is SIGKILLed, through the
// next process that starts with the same spool dir; the extra copies that can cost are counted.

type Run = SpoolAppRun;

/** Starts the spool fixture; `shell` wraps it in `sh -c` (for a file-size limit); `prefix` runs it under a command (`unshare`). */
function start(mode: string, env: Record<string, string>, shell?: string, prefix: string[] = []): Run {
  return startSpoolApp(mode, env, { ...(shell !== undefined ? { shell } : {}), prefix });
}

function envFor(server: LocalCloudWatchLogs, group: string, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...cloudWatchEnv(server, group), LOG_SPOOL_DIR: dir, ...extra };
}

interface Stats {
  possibleDuplicates: number;
  dropped: number;
  recovered: number;
  spooled: number;
  unspooled: number;
  spoolFilesSetAside: number;
  spoolDropped: number;
  restamped: number;
}

function printed(stderr: string): { flush: { delivered: boolean }; cloudwatch: Stats } {
  const flush = /^flush=(.*)$/m.exec(stderr)?.[1];
  const stats = /^stats=(.*)$/m.exec(stderr)?.[1];
  if (!flush || !stats) throw new Error(`the fixture printed no result; stderr:\n${stderr}`);
  return { flush: JSON.parse(flush), cloudwatch: JSON.parse(stats).cloudwatch };
}

/** Seqs stored in a group, and how many are copies beyond the first. */
function stored(server: LocalCloudWatchLogs, group: string): { seqs: Set<number>; extra: number; tags: Set<unknown> } {
  const messages = server.messages(group);
  const seqs = new Set(messages.map((message) => message.seq as number));
  return { seqs, extra: messages.length - seqs.size, tags: new Set(messages.map((message) => message.tag)) };
}

const dirs: string[] = [];
function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logferry-spool-test-'));
  dirs.push(dir);
  return join(dir, 'spool');
}

after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL at a random moment, 2,000 audit lines/s, endpoint answering in 300 ms', { concurrency: 4 }, () => {
  let server: LocalCloudWatchLogs;
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
    server.delayMs = 300;
  });
  after(() => server.stop());

  for (let trial = 1; trial <= 20; trial++) {
    it(`trial ${trial}: every line whose log call returned reaches CloudWatch through the next process`, async (t) => {
      const group = `/logferry/spool-kill-${process.pid}-${trial}`;
      const dir = spoolDir();
      const first = start('steady', envFor(server, group, dir, { RATE: '2000' }));
      await waitFor('the first process to log', () => first.reported().length > 0, 30_000);
      const killAfterMs = 500 + Math.floor(Math.random() * 3500);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      first.child.kill('SIGKILL');
      assert.equal((await first.done).signal, 'SIGKILL');
      const reported = first.reported();

      const second = start('count', envFor(server, group, dir, { LINES: '0' }));
      assert.equal((await second.done).code, 0, second.stderr());
      const { flush, cloudwatch } = printed(second.stderr());
      assert.ok(flush.delivered, second.stderr());

      const { seqs, extra } = stored(server, group);
      const missing = reported.filter((seq) => !seqs.has(seq));
      assert.deepEqual(
        missing.slice(0, 10),
        [],
        `${missing.length} of ${reported.length} reported lines missing (killed after ${killAfterMs} ms)`,
      );
      assert.ok(
        extra <= cloudwatch.possibleDuplicates,
        `${extra} extra copies, ${cloudwatch.possibleDuplicates} counted as possible duplicates (killed after ${killAfterMs} ms)`,
      );
      t.diagnostic(
        `killed after ${killAfterMs} ms: ${reported.length} lines reported, ${cloudwatch.recovered} recovered, ${extra} extra copies, ${cloudwatch.possibleDuplicates} counted`,
      );
      assert.equal(cloudwatch.dropped, 0);
      // At 2,000 lines/s with a 300 ms round trip and a 1 s flush interval, the kill always leaves some unshipped.
      assert.ok(cloudwatch.recovered > 0, `nothing recovered (killed after ${killAfterMs} ms)`);
      // The adopted spool and the second process's own are gone once everything is shipped.
      assert.deepEqual(readdirSync(dir), []);
    });
  }
});

describe('spool files and processes sharing a dir', { concurrency: 3 }, () => {
  let server: LocalCloudWatchLogs;
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  /** A spool left by a process that is gone: the test runner's own pid with another start time (a reused pid). */
  function deadSpool(dir: string, segments: Buffer[][]): string {
    const owner = formatOwner(hostname(), process.pid, '1', ownPidNamespace());
    writeFileSync(join(dir, claimName(owner, owner)), '', { mode: 0o600 });
    for (const [number, records] of segments.entries()) {
      writeFileSync(join(dir, segmentName(owner, number)), Buffer.concat([SEGMENT_MAGIC, ...records]));
    }
    return owner;
  }

  const line = (seq: number, tag: string, time = Date.now() - 60_000) =>
    `{"level":30,"time":${time},"pid":1,"hostname":"old","channel":"transactional","seq":${seq},"tag":"${tag}","msg":"recovered"}`;

  it('a torn last record is skipped and every record before it is shipped, with its original time (restamped when too old)', async () => {
    const group = `/logferry/spool-torn-${process.pid}`;
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fifteenDaysAgo = Date.now() - 15 * 24 * 60 * 60 * 1000;
    // The old line last: a batch is kept chronological, so lines after a restamped one would take its time.
    const whole = [...[0, 1].map((seq) => encodeRecord(line(seq, 'torn'))), encodeRecord(line(2, 'torn', fifteenDaysAgo))];
    const cut = encodeRecord(line(3, 'torn')).subarray(0, 30);
    deadSpool(dir, [[...whole, cut]]);
    const run = start('count', envFor(server, group, dir, { LINES: '0' }));
    assert.equal((await run.done).code, 0, run.stderr());
    const { cloudwatch } = printed(run.stderr());
    assert.deepEqual([...stored(server, group).seqs].sort(), [0, 1, 2]);
    assert.equal(cloudwatch.recovered, 3);
    assert.match(run.stderr(), /ends in a record cut short .* the 3 records before it are shipped/);
    const times = new Map(server.events(group).map((event) => [JSON.parse(event.message).seq as number, event.timestamp]));
    assert.ok(
      [0, 1].every((seq) => (times.get(seq) as number) < Date.now() - 50_000),
      'recovered lines keep the time they were logged at',
    );
    assert.ok((times.get(2) as number) > Date.now() - 60_000, 'a line too old for CloudWatch is restamped, as any queued line');
    assert.equal(cloudwatch.restamped, 1);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a corrupt segment and a foreign file are set aside with one line each; the records before the damage are shipped', async () => {
    const group = `/logferry/spool-corrupt-${process.pid}`;
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const damaged = encodeRecord(line(2, 'corrupt'));
    damaged[12] = (damaged[12] as number) ^ 0xff;
    const owner = deadSpool(dir, [
      [encodeRecord(line(0, 'corrupt')), encodeRecord(line(1, 'corrupt')), damaged, encodeRecord(line(3, 'corrupt'))],
      [encodeRecord(line(4, 'corrupt'))],
    ]);
    writeFileSync(join(dir, segmentName(owner, 2)), 'not a spool segment at all');
    const run = start('count', envFor(server, group, dir, { LINES: '0' }));
    assert.equal((await run.done).code, 0, run.stderr());
    const { cloudwatch } = printed(run.stderr());
    assert.deepEqual([...stored(server, group).seqs].sort(), [0, 1, 4]);
    assert.equal(cloudwatch.spoolFilesSetAside, 2);
    assert.equal(run.stderr().match(/set aside/g)?.length, 2, run.stderr());
    assert.deepEqual(readdirSync(dir).sort(), [`${segmentName(owner, 0)}.set-aside`, `${segmentName(owner, 2)}.set-aside`]);
  });

  it('two live processes sharing the dir each ship only their own lines; the dir is 0700 and the files 0600', async () => {
    const dir = spoolDir();
    const groups = ['a', 'b'].map((tag) => `/logferry/spool-shared-${process.pid}-${tag}`);
    const runs = ['a', 'b'].map((tag, i) => start('hold', envFor(server, groups[i] as string, dir, { LINES: '300', TAG: tag })));
    await waitFor('both processes to log', () => runs.every((run) => run.stderr().includes('fixture-ready')), 30_000);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    assert.equal(files.filter((name) => name.startsWith('claim-')).length, 2, files.join(', '));
    for (const name of files) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
    for (const run of runs) run.child.stdin?.write('go\n');
    for (const [i, run] of runs.entries()) {
      assert.equal((await run.done).code, 0, run.stderr());
      const { cloudwatch } = printed(run.stderr());
      assert.equal(cloudwatch.recovered, 0);
      const { seqs, tags, extra } = stored(server, groups[i] as string);
      assert.equal(seqs.size, 300);
      assert.equal(extra, 0);
      assert.deepEqual([...tags], [i === 0 ? 'a' : 'b']);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it('an end by SIGTERM after everything was delivered leaves no spool behind', async () => {
    const group = `/logferry/spool-sigterm-${process.pid}`;
    const dir = spoolDir();
    const run = start('signal', envFor(server, group, dir, { LINES: '50' }));
    assert.equal((await run.done).signal, 'SIGTERM', run.stderr());
    assert.ok(printed(run.stderr()).flush.delivered, run.stderr());
    assert.equal(stored(server, group).seqs.size, 50);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('an end by SIGTERM while the app goes on logging leaves no spool behind, and no line for the next process to send again', async () => {
    const group = `/logferry/spool-sigterm-late-${process.pid}`;
    const dir = spoolDir();
    const run = start('signal-late', envFor(server, group, dir, { LINES: '50' }));
    assert.equal((await run.done).signal, 'SIGTERM', run.stderr());
    const late = run.stderr().match(/^late=\d+$/gm)?.length ?? 0;
    assert.ok(late > 0, 'no line was logged after the signal');
    const { seqs, extra } = stored(server, group);
    assert.equal(seqs.size, 50 + late, run.stderr());
    assert.equal(extra, 0);
    // Before, the spool was removed (or not) after the first flush: lines logged after it stayed on disk.
    assert.deepEqual(readdirSync(dir), []);
  });

  it('two copies of logferry in one process each spool and ship their own lines', async () => {
    const group = `/logferry/spool-copies-${process.pid}`;
    const dir = spoolDir();
    const run = start('copies', envFor(server, group, dir, { LINES: '100', TAG: 'copy-a' }));
    assert.equal((await run.done).code, 0, run.stderr());
    assert.match(run.stderr(), /second-copy-delivered=true/);
    assert.ok(printed(run.stderr()).flush.delivered, run.stderr());
    const { seqs, tags, extra } = stored(server, group);
    assert.equal(seqs.size, 200);
    assert.equal(extra, 0);
    assert.deepEqual([...tags].sort(), ['copy-a', 'copy-b']);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a process started while the old one still runs leaves the old spool alone, and the old one ships it', async () => {
    const down = await new LocalCloudWatchLogs().start();
    try {
      const dir = spoolDir();
      const oldGroup = `/logferry/spool-restart-${process.pid}-old`;
      const newGroup = `/logferry/spool-restart-${process.pid}-new`;
      // The old process cannot ship yet, so its lines sit in its spool while the new one starts.
      down.failFor('500', 600_000);
      const old = start('hold', envFor(down, oldGroup, dir, { LINES: '500', TAG: 'old' }));
      await waitFor('the old process to log', () => old.stderr().includes('fixture-ready'), 30_000);
      const fresh = start('count', envFor(server, newGroup, dir, { LINES: '50', TAG: 'new' }));
      assert.equal((await fresh.done).code, 0, fresh.stderr());
      assert.equal(printed(fresh.stderr()).cloudwatch.recovered, 0);
      assert.deepEqual([...stored(server, newGroup).tags], ['new']);
      assert.equal(stored(server, newGroup).seqs.size, 50);
      assert.ok(
        readdirSync(dir).some((name) => name.startsWith('spool-')),
        'the old process keeps its spool',
      );
      down.clearFaults();
      old.child.stdin?.write('go\n');
      assert.equal((await old.done).code, 0, old.stderr());
      assert.equal(stored(down, oldGroup).seqs.size, 500);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await down.stop();
    }
  });

  it('a live process in another PID namespace on the same host keeps its spool (a container with host networking)', async (t) => {
    const unshare = ['unshare', '--pid', '--fork', '--mount-proc'];
    try {
      execFileSync(unshare[0] as string, [...unshare.slice(1), 'true'], { stdio: 'ignore' });
    } catch {
      t.skip('unshare --pid needs root and util-linux; without it no second PID namespace can be made here');
      return;
    }
    const down = await new LocalCloudWatchLogs().start();
    try {
      const dir = spoolDir();
      const oldGroup = `/logferry/spool-pidns-${process.pid}-old`;
      const newGroup = `/logferry/spool-pidns-${process.pid}-new`;
      // The namespaced process cannot ship yet; its pid means nothing in this namespace's /proc.
      down.failFor('500', 600_000);
      const old = start('hold', envFor(down, oldGroup, dir, { LINES: '300', TAG: 'old' }), undefined, unshare);
      await waitFor('the namespaced process to log', () => old.stderr().includes('fixture-ready'), 30_000);
      const fresh = start('count', envFor(server, newGroup, dir, { LINES: '20', TAG: 'new' }));
      assert.equal((await fresh.done).code, 0, fresh.stderr());
      assert.equal(printed(fresh.stderr()).cloudwatch.recovered, 0, fresh.stderr());
      assert.deepEqual([...stored(server, newGroup).tags], ['new']);
      assert.ok(
        readdirSync(dir).some((name) => name.startsWith('spool-')),
        'the namespaced process keeps its spool',
      );
      down.clearFaults();
      old.child.stdin?.write('go\n');
      assert.equal((await old.done).code, 0, old.stderr());
      assert.equal(stored(down, oldGroup).seqs.size, 300);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await down.stop();
    }
  });

  it('a process that dies while another runs has its spool adopted by that one', async () => {
    const down = await new LocalCloudWatchLogs().start();
    try {
      const dir = spoolDir();
      const group = `/logferry/spool-rescan-${process.pid}`;
      down.failFor('500', 600_000);
      const old = start('hold', envFor(down, `${group}-old`, dir, { LINES: '500', TAG: 'old' }));
      await waitFor('the old process to log', () => old.stderr().includes('fixture-ready'), 30_000);
      const survivor = start(
        'hold',
        envFor(server, group, dir, { LINES: '50', SEQ_FROM: '10000', TAG: 'new', LOG_SPOOL_RESCAN_MS: '200' }),
      );
      await waitFor('the survivor to log', () => survivor.stderr().includes('fixture-ready'), 30_000);
      old.child.kill('SIGKILL');
      await old.done;
      await waitFor('the old lines to arrive through the survivor', () => server.eventCount(group) >= 550, 20_000);
      survivor.child.stdin?.write('go\n');
      assert.equal((await survivor.done).code, 0, survivor.stderr());
      assert.equal(printed(survivor.stderr()).cloudwatch.recovered, 500);
      const { seqs, tags } = stored(server, group);
      assert.equal(seqs.size, 550);
      assert.deepEqual([...tags].sort(), ['new', 'old']);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await down.stop();
    }
  });

  it('lines an orderly exit could not deliver before its deadline are shipped by the next process', async () => {
    const down = await new LocalCloudWatchLogs().start();
    try {
      const dir = spoolDir();
      const group = `/logferry/spool-deadline-${process.pid}`;
      down.failFor('500', 600_000);
      const first = start('count', envFor(down, group, dir, { LINES: '300', FLUSH_TIMEOUT_MS: '300', LOG_EXIT_TIMEOUT_MS: '500' }));
      assert.equal((await first.done).code, 0, first.stderr());
      assert.match(first.stderr(), /not delivered/);
      assert.equal(down.eventCount(group), 0);
      assert.ok(
        readdirSync(dir).some((name) => name.startsWith('spool-')),
        'the undelivered spool stays',
      );
      const second = start('count', envFor(server, group, dir, { LINES: '0' }));
      assert.equal((await second.done).code, 0, second.stderr());
      assert.equal(printed(second.stderr()).cloudwatch.recovered, 300);
      assert.equal(stored(server, group).seqs.size, 300);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await down.stop();
    }
  });

  it('past maxBytes the oldest spooled lines lose their disk copy, counted and said once; they still arrive from memory', async () => {
    const down = await new LocalCloudWatchLogs().start();
    try {
      const dir = spoolDir();
      const group = `/logferry/spool-cap-${process.pid}`;
      down.failFor('500', 600_000);
      const maxBytes = 1024 * 1024;
      const run = start('hold', envFor(down, group, dir, { LINES: '20000', LOG_SPOOL_MAX_BYTES: String(maxBytes) }));
      const spoolBytes = () => {
        try {
          return readdirSync(dir)
            .filter((name) => name.startsWith('spool-'))
            .reduce((sum, name) => sum + (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0), 0);
        } catch {
          return 0; // Not created yet.
        }
      };
      // ~4.5 MB of lines are written in one burst, faster than the worker takes them in: the
      // cap holds all along, not only once the worker has caught up.
      let most = 0;
      await waitFor(
        'the process to log',
        () => {
          most = Math.max(most, spoolBytes());
          return run.stderr().includes('fixture-ready');
        },
        30_000,
      );
      most = Math.max(most, spoolBytes());
      assert.ok(most <= maxBytes, `the spool reached ${most} bytes, over maxBytes ${maxBytes}`);
      down.clearFaults();
      run.child.stdin?.write('go\n');
      assert.equal((await run.done).code, 0, run.stderr());
      const { flush, cloudwatch } = printed(run.stderr());
      assert.ok(flush.delivered);
      assert.ok(cloudwatch.spoolDropped > 0 && cloudwatch.spoolDropped < 20000, JSON.stringify(cloudwatch));
      assert.equal(run.stderr().match(/spool over maxBytes/g)?.length, 1, run.stderr());
      assert.equal(stored(down, group).seqs.size, 20000);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await down.stop();
    }
  });

  it('a file-size limit (EFBIG, as a full disk gives ENOSPC) is said once and counted; every line still arrives', async () => {
    const group = `/logferry/spool-full-${process.pid}`;
    const dir = spoolDir();
    // 64 blocks of the shell's unit (512 or 1,024 bytes): far less than 3,000 lines of ~200 bytes.
    const run = start('count', envFor(server, group, dir, { LINES: '3000' }), 'ulimit -f 64');
    assert.equal((await run.done).code, 0, run.stderr());
    const { flush, cloudwatch } = printed(run.stderr());
    assert.ok(flush.delivered);
    assert.equal(run.stderr().match(/cannot be written/g)?.length, 1, run.stderr());
    assert.match(run.stderr(), /cannot be written \(EFBIG: file too large/, 'the code is said once');
    assert.ok(cloudwatch.spooled > 0 && cloudwatch.unspooled > 0, JSON.stringify(cloudwatch));
    assert.equal(cloudwatch.spooled + cloudwatch.unspooled, 3000);
    assert.equal(stored(server, group).seqs.size, 3000);
  });

  it('a file-size limit of 0 at start-up starts the service without a spool: said once, counted, no files left', async () => {
    const group = `/logferry/spool-full-at-start-${process.pid}`;
    const dir = spoolDir();
    const run = start('count', envFor(server, group, dir, { LINES: '50' }), 'ulimit -f 0');
    assert.equal((await run.done).code, 0, run.stderr());
    const { flush, cloudwatch } = printed(run.stderr());
    assert.ok(flush.delivered);
    assert.equal(run.stderr().match(/cannot be written/g)?.length, 1, run.stderr());
    assert.equal(cloudwatch.spooled, 0);
    assert.equal(cloudwatch.unspooled, 50);
    assert.equal(stored(server, group).seqs.size, 50);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a full disk (ENOSPC on a 256 KiB tmpfs) is said once and counted; every line still arrives', async (t) => {
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      t.skip('mounting a tmpfs needs root; the file-size limit test covers the same path');
      return;
    }
    try {
      const group = `/logferry/spool-enospc-${process.pid}`;
      const run = start('count', envFor(server, group, dir, { LINES: '3000' }));
      assert.equal((await run.done).code, 0, run.stderr());
      const { cloudwatch } = printed(run.stderr());
      assert.match(run.stderr(), /cannot be written \(ENOSPC/);
      assert.equal(run.stderr().match(/cannot be written/g)?.length, 1, run.stderr());
      assert.ok(cloudwatch.unspooled > 0, JSON.stringify(cloudwatch));
      assert.equal(cloudwatch.spooled + cloudwatch.unspooled, 3000);
      assert.equal(stored(server, group).seqs.size, 3000);
    } finally {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    }
  });

  it('with fsync every line is spooled and shipped, and the spool is removed at the end', async () => {
    const dir = spoolDir();
    const group = `/logferry/spool-fsync-${process.pid}`;
    const run = start('count', envFor(server, group, dir, { LINES: '200', LOG_SPOOL_FSYNC: 'true' }));
    assert.equal((await run.done).code, 0, run.stderr());
    const { cloudwatch } = printed(run.stderr());
    assert.equal(cloudwatch.spooled, 200);
    assert.equal(stored(server, group).seqs.size, 200);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('in a directory others can write, a forged spool of another user is neither shipped nor removed, and the dir is made 0700', async (t) => {
    const group = `/logferry/spool-forged-${process.pid}`;
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const owner = deadSpool(dir, [[encodeRecord(line(666, 'forged'))]]);
    const planted = readdirSync(dir).sort();
    const nobody = 65534;
    try {
      for (const name of planted) chownSync(join(dir, name), nobody, nobody);
    } catch {
      t.skip('giving files to another user needs root');
      return;
    }
    const run = start('count', envFor(server, group, dir, { LINES: '5', TAG: 'own' }));
    assert.equal((await run.done).code, 0, run.stderr());
    assert.equal(printed(run.stderr()).cloudwatch.recovered, 0, run.stderr());
    assert.deepEqual([...stored(server, group).tags], ['own']);
    assert.match(run.stderr(), new RegExp(`not a file of this process's user; the spool of ${owner} is left alone`));
    assert.deepEqual(readdirSync(dir).sort(), planted, "the other user's files stay");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('a LOG_SPOOL_DIR of another user is a LogferryConfigError naming it', async (t) => {
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      chownSync(dir, 65534, 65534);
    } catch {
      t.skip('giving a directory to another user needs root');
      return;
    }
    const run = start('count', envFor(server, `/logferry/spool-theirs-${process.pid}`, dir, { LINES: '1' }));
    assert.notEqual((await run.done).code, 0);
    assert.match(run.stderr(), /LogferryConfigError: logferry: LOG_SPOOL_DIR=".*" is not valid: .*belongs to uid 65534/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("a symlink planted at a state file's temporary name is not followed", () => {
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep me');
    const files = new SpoolFiles(dir, 'h-1-2-n3', 'h-4-5-n3', false);
    symlinkSync(target, join(dir, `state-h-1-2-n3.json.h-4-5-n3.tmp`));
    assert.throws(() => files.writeState({ accepted: 8, sending: 8 }), /ELOOP/);
    assert.equal(readFileSync(target, 'utf8'), 'keep me');
  });

  it('a LOG_SPOOL_DIR that cannot be created is a LogferryConfigError naming it', async () => {
    const base = spoolDir();
    mkdirSync(join(base, '..'), { recursive: true });
    const blocker = join(base, '..', 'a-file');
    writeFileSync(blocker, 'x');
    const run = start('count', envFor(server, `/logferry/spool-bad-${process.pid}`, join(blocker, 'spool'), { LINES: '1' }));
    const { code } = await run.done;
    assert.notEqual(code, 0);
    assert.match(
      run.stderr(),
      /LogferryConfigError: logferry: LOG_SPOOL_DIR=".*a-file\/spool" is not valid: use a directory this process.s user owns \(or can create\) and can write/,
    );
    assert.ok(readFileSync(blocker, 'utf8') === 'x');
  });
});
