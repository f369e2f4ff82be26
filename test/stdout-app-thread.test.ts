import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fixturePath } from './support/run-fixture.js';

// JSON to stdout and no other sink: the app's thread writes stdout itself (no log worker). These
// runs hold stdout's reader paused, as a stalled log collector would, and check that the app
// neither blocks nor spins nor grows without bound, that the exit keeps its bound, and that
// every line is either written whole or counted.

interface PausedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the stdout-reader fixture with its stdout read by nobody until `resumeOn` shows on its
 * stderr, or until it has exited. `act` runs once `actOn` shows (to send a signal).
 */
function runWithPausedReader(
  mode: string,
  env: Record<string, string>,
  options: { resumeOn?: string; actOn?: string; act?: (child: ReturnType<typeof spawn>) => void; nodeArgs?: string[] } = {},
): Promise<PausedRun> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), fixturePath('stdout-reader'), mode], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pause();
  const stdout: Buffer[] = [];
  let reading = false;
  const resume = (): void => {
    if (reading) return;
    reading = true;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stdout.resume();
  };
  let stderr = '';
  let acted = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (options.resumeOn && stderr.includes(options.resumeOn)) resume();
    if (options.actOn && !acted && stderr.includes(options.actOn)) {
      acted = true;
      options.act?.(child);
    }
  });
  // What the process wrote before it ended is still in the pipe: read it once it is gone.
  child.on('exit', resume);
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr });
    });
  });
}

/** The whole lines of `stdout` (each must be JSON) and whatever follows the last newline. */
function wholeLines(stdout: string): { seqs: number[]; rest: string } {
  const parts = stdout.split('\n');
  const rest = parts.pop() ?? '';
  const seqs = parts.map((line) => {
    try {
      return (JSON.parse(line) as { seq: number }).seq;
    } catch {
      throw new Error(`stdout line is not JSON: ${line.slice(0, 200)}`);
    }
  });
  return { seqs, rest };
}

function printed(stderr: string, name: string): any {
  const match = new RegExp(`^${name}=(.*)$`, 'm').exec(stderr);
  if (!match?.[1]) throw new Error(`the fixture printed no ${name}; stderr:\n${stderr}`);
  return JSON.parse(match[1]);
}

const LINES = 20_000;
const exitBound = { LOG_EXIT_TIMEOUT_MS: '1000', LINES: String(LINES) };

/** Lines written before the end arrive whole and in order; the rest are the pending ones the exit line named. */
function assertWrittenOrPending(run: PausedRun, ending: RegExp): void {
  const said = ending.exec(run.stderr);
  assert.ok(said, run.stderr);
  const pending = Number(said[1]);
  assert.ok(pending > 0, 'the paused reader should have left lines pending');
  const { seqs } = wholeLines(run.stdout);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i),
    'whole lines arrive in order, none twice',
  );
  assert.equal(seqs.length + pending, LINES, 'every line is either on stdout or counted as pending');
}

describe('stdout written by the app thread, with a paused reader', () => {
  it('the app thread writes stdout: no worker thread for JSON to stdout alone', async () => {
    const run = await runWithPausedReader('natural', { LINES: '10', LOG_EXIT_TIMEOUT_MS: '1000' });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(wholeLines(run.stdout).seqs, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.doesNotMatch(run.stderr, /exit wait ran out/);
  });

  it('natural end: the exit waits LOG_EXIT_TIMEOUT_MS for the reader, then ends and says what is pending', async () => {
    const run = await runWithPausedReader('natural', exitBound);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.signal, null);
    assertWrittenOrPending(
      run,
      /^logferry: exit wait ran out after 1000 ms \(LOG_EXIT_TIMEOUT_MS\); not delivered: stdout \((\d+) pending, 0 dropped\)$/m,
    );
  });

  it('process.exit(3): the same bound, and the exit code is kept', async () => {
    const run = await runWithPausedReader('exit', exitBound);
    assert.equal(run.code, 3, run.stderr);
    assertWrittenOrPending(
      run,
      /^logferry: exit wait ran out after 1000 ms \(LOG_EXIT_TIMEOUT_MS\); not delivered: stdout \((\d+) pending, 0 dropped\)$/m,
    );
  });

  it('SIGTERM: the same bound, then the process dies by the signal', async () => {
    const run = await runWithPausedReader('SIGTERM', exitBound, { actOn: 'fixture-ready', act: (child) => child.kill('SIGTERM') });
    assert.equal(run.signal, 'SIGTERM', `code=${run.code} stderr=${run.stderr}`);
    assertWrittenOrPending(
      run,
      /^logferry: exit wait ran out after 1000 ms \(LOG_EXIT_TIMEOUT_MS\) on SIGTERM; not delivered: stdout \((\d+) pending, 0 dropped\)$/m,
    );
  });

  it('a flush that times out while the reader is paused answers, though nothing else keeps the process alive', async () => {
    const run = await runWithPausedReader('flush-timeouts', { LINES: '20000', LOG_EXIT_TIMEOUT_MS: '200' });
    assert.equal(run.code, 0, run.stderr);
    for (let i = 0; i < 100; i++) assert.equal(printed(run.stderr, `flushTimeout${i}`), true);
  });

  for (const [mode, title] of [
    ['flood', 'a flood'],
    ['spawn-then-flood', 'a flood after spawning a child with stdio inherit (which makes the pipe blocking)'],
  ] as const) {
    it(`${title}: the loop never blocks, a paused pipe costs no CPU, what waits is capped, the rest is dropped and counted`, async () => {
      const lines = 200_000;
      const run = await runWithPausedReader(
        mode,
        { LINES: String(lines), LOG_MAX_APP_BACKLOG_BYTES: String(1024 * 1024) },
        { resumeOn: 'resume-now', nodeArgs: ['--expose-gc'] },
      );
      assert.equal(run.code, 0, run.stderr);
      const paused = printed(run.stderr, 'paused');
      // A blocked loop would wait on the pipe for good (or a second, at the cap); a spinning one
      // would burn the whole idle second.
      assert.ok(paused.maxLoopDelayMs < 500, `event loop blocked for ${paused.maxLoopDelayMs} ms`);
      assert.ok(paused.idleCpuMs < 300, `${paused.idleCpuMs} ms of CPU in a second with the reader paused`);
      // ~50 MiB of lines logged; 1 MiB may wait, besides the heap the process has anyway.
      assert.ok(paused.heapMiB < 25, `heap ${paused.heapMiB} MiB`);

      const whilePaused = printed(run.stderr, 'flushWhilePaused');
      assert.equal(whilePaused.settled, false);
      assert.equal(whilePaused.timedOut, true);
      assert.ok(whilePaused.sinks.stdout.pending > 0);

      const stats = printed(run.stderr, 'stats').stdout;
      assert.equal(stats.received, lines);
      assert.ok(stats.dropped > 0, JSON.stringify(stats));
      assert.equal(stats.delivered + stats.pending + stats.dropped, lines);
      assert.equal(run.stderr.match(/^logferry: stdout is not taking lines as fast as they are logged/gm)?.length, 1, run.stderr);

      const flush = printed(run.stderr, 'flush');
      assert.equal(flush.settled, true, JSON.stringify(flush));
      assert.equal(flush.sinks.stdout.pending, 0);
      const { seqs, rest } = wholeLines(run.stdout);
      assert.equal(rest, '');
      assert.equal(seqs.length, lines - stats.dropped, 'every line not dropped arrives');
      assert.ok(
        seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] as number)),
        'in order, none twice',
      );
      assert.match(
        run.stderr,
        new RegExp(
          `^logferry: lines not delivered since start, counted in logStats\\(\\) \\(at exit\\): stdout ${stats.dropped} dropped, 0 refused`,
          'm',
        ),
      );
    });
  }
});
