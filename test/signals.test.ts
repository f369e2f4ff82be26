import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

// Signals in real child processes: several copies of logferry in one process must still let a
// signal end it, and the signal path says what it could not deliver.
const projectRoot = join(__dirname, '..', '..');
let copiesRoot: string;

describe('signals', { concurrency: true }, () => {
  before(() => {
    // Two copies of the compiled package in two directories, as two installed versions would be;
    // both resolve pino and the SDKs from this project's node_modules.
    copiesRoot = mkdtempSync(join(tmpdir(), 'logferry-copies-'));
    symlinkSync(join(projectRoot, 'node_modules'), join(copiesRoot, 'node_modules'), 'dir');
    for (const copy of ['a', 'b']) {
      for (const part of ['src', 'transports']) {
        cpSync(join(projectRoot, 'dist', part), join(copiesRoot, copy, 'dist', part), { recursive: true });
      }
    }
  });
  after(() => rmSync(copiesRoot, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`two copies of logferry in one process: ${signal} flushes both, then ends the process`, async () => {
      const run = await runFixture('two-copies', {
        // A generous bound: a flush ends as soon as it is answered, and a loaded machine can take seconds to start the workers.
        env: { NODE_ENV: 'production', LINES: '500', LOG_EXIT_TIMEOUT_MS: '30000' },
        args: [join(copiesRoot, 'a'), join(copiesRoot, 'b')],
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill(signal) },
        // Before the shared registry, each copy stepped aside for the other and the process never ended.
        timeoutMs: 60_000,
      });
      assert.equal(run.signal, signal, `code=${run.code} signal=${run.signal} stderr=${run.stderr}`);
      const lines = jsonLines(run.stdout);
      for (const copy of ['a', 'b']) {
        const seqs = new Set(lines.filter((line) => line.copy === copy).map((line) => line.seq));
        assert.equal(seqs.size, 500, `copy ${copy}: ${seqs.size} of 500 lines; stderr: ${run.stderr}`);
      }
    });
  }

  for (const libs of ['v4', 'v3', 'v3,v4']) {
    it(`a library on signal-exit ${libs} does not swallow SIGTERM: lines flushed, its callbacks run, the process ends by the signal`, async () => {
      const run = await runFixture('signal-exit-app', {
        env: { NODE_ENV: 'production', LINES: '300', LIBS: libs, LOG_EXIT_TIMEOUT_MS: '30000' },
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
        // Before signal-exit's listeners were told apart from the app's, nobody exited.
        timeoutMs: 60_000,
      });
      assert.equal(run.signal, 'SIGTERM', `code=${run.code} signal=${run.signal} stderr=${run.stderr}`);
      assert.equal(new Set(jsonLines(run.stdout).map((line) => line.seq)).size, 300, run.stderr);
      for (const lib of libs.split(',')) assert.match(run.stderr, new RegExp(`^signal-exit ${lib} callback ran on SIGTERM$`, 'm'));
    });
  }

  it("with signal-exit loaded, an app's own SIGTERM handler still decides: it logs, exits 0, every line delivered", async () => {
    const run = await runFixture('signal-exit-app', {
      env: { NODE_ENV: 'production', LINES: '300', LIBS: 'v4', APP_HANDLER: '1', LOG_EXIT_TIMEOUT_MS: '30000' },
      onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
      timeoutMs: 60_000,
    });
    assert.equal(run.code, 0, `code=${run.code} signal=${run.signal} stderr=${run.stderr}`);
    const lines = jsonLines(run.stdout);
    assert.equal(new Set(lines.map((line) => line.seq)).size, 301, run.stderr);
    assert.ok(lines.some((line) => line.msg === 'app handler'));
    assert.match(run.stderr, /^signal-exit v4 callback ran on null$/m, 'signal-exit saw an exit, not the signal');
  });

  it('SIGTERM while Bugsnag never answers: the wait that ran out is said on stderr, then the process ends by the signal', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      receiver.leaveUnanswered(1_000_000);
      const run = await runFixture('signal-wait', {
        env: bugsnagEnv(receiver, { LOG_EXIT_TIMEOUT_MS: '1500' }),
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
        timeoutMs: 60_000,
      });
      assert.equal(run.signal, 'SIGTERM', run.stderr);
      assert.match(
        run.stderr,
        /^logferry: exit wait ran out after 1500 ms \(LOG_EXIT_TIMEOUT_MS\) on SIGTERM; not delivered: bugsnag \(1 pending, 0 dropped\)$/m,
      );
      assert.equal(receiver.unanswered, 1, 'the event was sent and held');
    } finally {
      await receiver.stop();
    }
  });

  it('an older copy of logferry listening first (a registry without finishers): SIGTERM still flushes this copy and ends the process', async () => {
    const run = await runFixture('older-copy-signal', {
      env: { NODE_ENV: 'production', LINES: '300', LOG_LEVEL_CONSOLE: 'info', LOG_PRETTY: '0' },
      onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
      timeoutMs: 60_000,
    });
    assert.equal(run.signal, 'SIGTERM', `code=${run.code} signal=${run.signal} stderr=${run.stderr}`);
    const seqs = jsonLines(run.stdout)
      .map((line) => line.seq)
      .filter((seq) => typeof seq === 'number' && seq >= 0);
    assert.equal(new Set(seqs).size, 300, run.stderr);
  });

  it('an older copy listening first, Bugsnag never answering: this copy still says on stderr what it could not deliver', async () => {
    const receiver = await new LocalBugsnag().start();
    try {
      receiver.leaveUnanswered(1_000_000);
      const run = await runFixture('older-copy-signal', {
        env: bugsnagEnv(receiver, { LINES: '10', LOG_EXIT_TIMEOUT_MS: '1500' }),
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
        timeoutMs: 60_000,
      });
      assert.equal(run.signal, 'SIGTERM', run.stderr);
      assert.match(
        run.stderr,
        /^logferry: exit wait ran out after 1500 ms \(LOG_EXIT_TIMEOUT_MS\) on SIGTERM; not delivered: bugsnag \(1 pending, 0 dropped\)$/m,
      );
    } finally {
      await receiver.stop();
    }
  });
});
