import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// closeLogs(timeoutMs) keeps its own bound: with an endpoint slower than that bound, it returns
// about when the bound passes and never holds the event loop for the exit's LOG_EXIT_TIMEOUT_MS.
// The margins are generous (a loaded machine); before this was fixed, closeLogs(500) returned
// after LOG_EXIT_TIMEOUT_MS more and held the loop for all of it.
const CLOSE_MS = 500;
const MARGIN_MS = 1000;
const EXIT_TIMEOUT_MS = 6000;
let server: LocalCloudWatchLogs;

interface CloseFigures {
  elapsedMs: number;
  longestGapMs: number;
  delivered: boolean;
  settled: boolean;
  timedOut: boolean;
}

function printedClose(stderr: string): CloseFigures {
  const match = /^close=(.*)$/m.exec(stderr);
  if (!match?.[1]) throw new Error(`the fixture printed no close result; stderr:\n${stderr}`);
  return JSON.parse(match[1]) as CloseFigures;
}

describe('closeLogs(timeoutMs) keeps its own bound', () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it(`with CloudWatch answering in 4 s, closeLogs(${CLOSE_MS}) returns within its bound and does not hold the event loop`, async () => {
    server.delayMs = 4000;
    const group = `/logferry/close-bound-${process.pid}-1`;
    const run = await runFixture('close-bound', {
      env: cloudWatchEnv(server, group, { LOG_EXIT_TIMEOUT_MS: String(EXIT_TIMEOUT_MS), CLOSE_MS: String(CLOSE_MS), WAIT_RECEIVED: '1' }),
    });
    assert.equal(run.code, 0, run.stderr);
    const close = printedClose(run.stderr);
    assert.equal(close.timedOut, true, 'the endpoint is slower than the bound');
    assert.ok(close.elapsedMs < CLOSE_MS + MARGIN_MS, `closeLogs(${CLOSE_MS}) returned after ${close.elapsedMs} ms`);
    assert.ok(close.longestGapMs < MARGIN_MS, `the event loop was held ${close.longestGapMs} ms`);
    // What was not delivered is said: pending at the close, then counted as dropped when the worker closed.
    assert.match(
      run.stderr,
      /^logferry: closeLogs\(\) wait ran out after 500 ms; not delivered: cloudwatch \(200 pending, 0 dropped\)$/m,
      run.stderr,
    );
    // The sink's own line names the bound in force: closeLogs' own, not LOG_EXIT_TIMEOUT_MS.
    assert.match(
      run.stderr,
      /^logferry: CloudWatch: 200 lines were not delivered before the exit deadline \(closeLogs\(500\)\)$/m,
      run.stderr,
    );
  });

  it(`with the spool on, the lines closeLogs(${CLOSE_MS}) could not deliver are said to stay in the spool, naming its bound`, async () => {
    server.delayMs = 4000;
    const dir = mkdtempSync(join(tmpdir(), 'logferry-close-bound-'));
    try {
      const group = `/logferry/close-bound-${process.pid}-3`;
      const run = await runFixture('close-bound', {
        env: cloudWatchEnv(server, group, {
          LOG_EXIT_TIMEOUT_MS: String(EXIT_TIMEOUT_MS),
          CLOSE_MS: String(CLOSE_MS),
          WAIT_RECEIVED: '1',
          LOG_SPOOL_DIR: dir,
        }),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^logferry: CloudWatch: 200 lines were not delivered before the exit deadline \(closeLogs\(500\)\); they stay in the spool for the next process on LOG_SPOOL_DIR$/m,
        run.stderr,
      );
      assert.doesNotMatch(run.stderr, /lines were not delivered before the exit deadline \([^)]*\)+$/m, 'none is called lost');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`closeLogs(${CLOSE_MS}) right after the first lines, while the worker may still be starting, keeps its bound too`, async () => {
    server.delayMs = 4000;
    const group = `/logferry/close-bound-${process.pid}-2`;
    const run = await runFixture('close-bound', {
      env: cloudWatchEnv(server, group, { LOG_EXIT_TIMEOUT_MS: String(EXIT_TIMEOUT_MS), CLOSE_MS: String(CLOSE_MS) }),
    });
    assert.equal(run.code, 0, run.stderr);
    const close = printedClose(run.stderr);
    assert.ok(close.elapsedMs < CLOSE_MS + MARGIN_MS, `closeLogs(${CLOSE_MS}) returned after ${close.elapsedMs} ms`);
    assert.ok(close.longestGapMs < MARGIN_MS, `the event loop was held ${close.longestGapMs} ms`);
    assert.match(run.stderr, /^logferry: closeLogs\(\) wait ran out after 500 ms; not delivered: /m, run.stderr);
  });
});
