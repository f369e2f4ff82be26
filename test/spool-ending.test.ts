import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv, printedFlush } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// At exit with the spool on, the stderr line says how many undelivered lines stay on disk for
// the next process, rather than calling them lost; the next process on the same LOG_SPOOL_DIR
// then sends that many.
let server: LocalCloudWatchLogs;
let dir: string;

describe('the exit report with the spool on', () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
    dir = mkdtempSync(join(tmpdir(), 'logferry-spool-ending-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says how many lines stay in the spool, and the next process sends exactly those', async () => {
    const group = `/logferry/spool-ending-${process.pid}`;
    const env = { ...cloudWatchEnv(server, group), LOG_SPOOL_DIR: join(dir, 'spool') };
    server.failFor('drop', 60_000, 'PutLogEvents');
    // 1,000 lines, half of them audit lines (the CloudWatch sink's default scope), then a natural end.
    const first = await runFixture('exit-path', { env: { ...env, LOG_EXIT_TIMEOUT_MS: '1000' }, args: ['natural', '1000'] });
    assert.equal(first.code, 0, first.stderr);
    const said =
      /^logferry: exit wait ran out after 1000 ms \(LOG_EXIT_TIMEOUT_MS\); not delivered: cloudwatch \((\d+) pending, 0 dropped\) \((\d+) of cloudwatch's pending lines stay in the spool for the next process on LOG_SPOOL_DIR\)$/m.exec(
        first.stderr,
      );
    assert.ok(said, first.stderr);
    assert.equal(Number(said[2]), 500);
    assert.equal(server.eventCount(group), 0);

    server.clearFaults();
    const next = await runFixture('spool-app', { env: { ...env, LINES: '0' }, args: ['count'] });
    assert.equal(next.code, 0, next.stderr);
    assert.equal(printedFlush(next.stderr).delivered, true, next.stderr);
    const seqs = new Set(server.messages(group).map((message) => message.seq));
    assert.equal(seqs.size, 500, `the next process sent ${seqs.size} of the 500 lines said to stay on disk`);
  });
});
