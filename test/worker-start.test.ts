import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasPreloadFlag } from '../src/handover/worker-stream.js';
import { fixturePath, runFixture } from './support/run-fixture.js';

// logferry starts its worker with thread-stream itself (src/handover/worker-stream.ts), so what
// pino.transport() did around the worker is logferry's to get right.

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('starting the log worker', () => {
  it('from a --require preload: the worker does not run the preload again, and every line arrives once', async () => {
    // Pretty output to stdout runs in the worker, so the preload's first line starts it.
    const run = await runFixture('preload-app', {
      env: { NODE_ENV: 'production', LOG_PRETTY: '1', NO_COLOR: '1' },
      nodeArgs: ['--require', fixturePath('preload-logger')],
      timeoutMs: 20_000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(occurrences(run.stdout, 'logged from the preload'), 1, run.stdout);
    assert.equal(occurrences(run.stdout, 'logged from the app'), 1, run.stdout);
    assert.doesNotMatch(run.stderr, /worker thread/, 'no logger was started inside the log worker');
  });

  it('knows the preload flags as Node spells them', () => {
    for (const flags of [['--require', 'x'], ['-r', 'x'], ['--import', 'x'], ['--require=x'], ['--import=./x.mjs'], ['-r=x']]) {
      assert.equal(hasPreloadFlag(flags), true, flags.join(' '));
    }
    for (const flags of [[], ['--inspect'], ['--requirex'], ['--max-old-space-size=100'], ['--imports']]) {
      assert.equal(hasPreloadFlag(flags), false, flags.join(' '));
    }
  });
});
