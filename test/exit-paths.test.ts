import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLines, runFixture } from './support/run-fixture.js';

// One child process per exit path: every line logged before the process ends reaches stdout.
const LINES = 10_000;
const env = { NODE_ENV: 'production' };

function assertEveryLine(stdout: string): Array<Record<string, unknown>> {
  const lines = jsonLines(stdout);
  const seqs = lines.map((line) => line.seq).filter((seq): seq is number => typeof seq === 'number' && seq >= 0);
  assert.equal(seqs.length, LINES, `expected ${LINES} numbered lines, got ${seqs.length}`);
  assert.equal(new Set(seqs).size, LINES, 'a line arrived twice');
  assert.ok(
    lines.some((line) => line.seq === -1 && (line.err as { type?: string })?.type === 'RangeError'),
    'the handled error line is missing',
  );
  return lines;
}

describe('nothing lost at exit (stdout)', () => {
  for (const [mode, expectedCode] of [
    ['natural', 0],
    ['exit0', 0],
    ['exit1', 1],
  ] as const) {
    it(`${mode}: every line arrives and the exit code is ${expectedCode}`, async () => {
      const run = await runFixture('exit-path', { env, args: [mode, String(LINES)] });
      assert.equal(run.code, expectedCode, run.stderr);
      assertEveryLine(run.stdout);
    });
  }

  it('uncaught exception: every line arrives, the crash is logged at fatal as unhandled, exit code 1', async () => {
    const run = await runFixture('exit-path', { env, args: ['uncaught', String(LINES)] });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /TypeError: boom from the app/, 'Node still prints the crash as usual');
    const fatal = assertEveryLine(run.stdout).find((line) => line.level === 60);
    assert.ok(fatal, 'no fatal line');
    assert.equal(fatal.unhandled, 'uncaughtException');
    assert.equal((fatal.err as { type: string }).type, 'TypeError');
  });

  it('unhandled rejection: every line arrives, logged at fatal as unhandled, exit code 1', async () => {
    const run = await runFixture('exit-path', { env, args: ['rejection', String(LINES)] });
    assert.equal(run.code, 1);
    const fatal = assertEveryLine(run.stdout).find((line) => line.level === 60);
    assert.equal(fatal?.unhandled, 'unhandledRejection');
    assert.equal((fatal?.err as { message?: string } | undefined)?.message, 'rejected in the app');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} with no app handler: every line arrives, then the process dies by the signal`, async () => {
      const run = await runFixture('exit-path', {
        env,
        args: [signal, String(LINES)],
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill(signal) },
      });
      assert.equal(run.signal, signal, `code=${run.code} stderr=${run.stderr}`);
      assertEveryLine(run.stdout);
    });
  }

  it('closeLogs(): delivered, and a line logged afterwards is a no-op with one notice', async () => {
    const run = await runFixture('exit-path', { env, args: ['close', String(LINES)] });
    assert.equal(run.code, 0, run.stderr);
    assertEveryLine(run.stdout);
    assert.match(run.stderr, /closed delivered=true/);
    assert.match(run.stderr, /logged after closeLogs\(\)/);
    assert.ok(!run.stdout.includes('after close'));
  });
});
