import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLines, runFixture } from './support/run-fixture.js';

// An app's own worker thread that logs, then the main thread exits. Node stops the worker
// without an 'exit' event there, so nothing in that thread can wait: it is told once, up front,
// and the documented line (await flushLogs() in the worker) delivers every line.
const LINES = 5000;
const NOTICE = /^logferry: logging from worker thread \d+: .*call `await flushLogs\(\)` in this thread before it reports its work done/m;

function seqs(stdout: string): Set<unknown> {
  return new Set(jsonLines(stdout).map((line) => line.seq));
}

describe("an app's own worker thread", { concurrency: true }, () => {
  it('logs 5,000 lines and the main thread exits: one clear notice on stderr', async () => {
    const run = await runFixture('worker-thread-app', { env: { NODE_ENV: 'production', LINES: String(LINES) }, args: ['plain'] });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.match(new RegExp(NOTICE.source, 'gm'))?.length, 1, run.stderr);
  });

  it('with `await flushLogs()` in the worker first, all 5,000 lines arrive', async () => {
    const run = await runFixture('worker-thread-app', { env: { NODE_ENV: 'production', LINES: String(LINES) }, args: ['flush-first'] });
    assert.equal(run.code, 0, run.stderr);
    const arrived = seqs(run.stdout);
    assert.equal(arrived.size, LINES, `${arrived.size} of ${LINES} lines arrived`);
  });
});
