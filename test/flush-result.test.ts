import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlushResult } from '../src/lifecycle/flush.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// What flushLogs() and closeLogs() say must be true: delivered only when every line arrived,
// settled when every line is delivered or counted, timedOut only when time ran out.

function printed(stderr: string, name: string): FlushResult {
  const match = new RegExp(`^${name}=(.*)$`, 'm').exec(stderr);
  if (!match?.[1]) throw new Error(`the fixture printed no ${name}; stderr:\n${stderr}`);
  return JSON.parse(match[1]) as FlushResult;
}

describe('flush results tell the truth', { concurrency: true }, () => {
  it('every line dropped (group missing, CLOUDWATCH_CREATE_GROUP=false): not delivered, settled, the drop counted once and said at exit', async () => {
    const server = await new LocalCloudWatchLogs().start();
    try {
      // Three runs: the app ends right after its flush each time, and the last words must be there every time.
      const runs = await Promise.all(
        [1, 2, 3].map((n) =>
          runFixture('flush-result', {
            env: cloudWatchEnv(server, `/logferry/missing-${process.pid}-${n}`, { CLOUDWATCH_CREATE_GROUP: 'false', LINES: '50' }),
            args: ['audit-lines'],
          }),
        ),
      );
      for (const run of runs) {
        assert.equal(run.code, 0, run.stderr);
        const flush = printed(run.stderr, 'flush');
        const cloudwatch = flush.sinks.cloudwatch;
        assert.ok(cloudwatch, 'the CloudWatch sink answered');
        assert.equal(flush.delivered, false, 'nothing arrived, so nothing is delivered');
        assert.equal(flush.settled, true);
        assert.equal(flush.timedOut, false);
        assert.equal(flush.closed, false);
        assert.equal(cloudwatch.dropped + cloudwatch.rejected, 50);
        assert.equal(flush.dropped, 50);
        assert.equal(cloudwatch.droppedSinceLastFlush, 50);
        const again = printed(run.stderr, 'again');
        assert.deepEqual([again.delivered, again.settled, again.dropped, again.sinks.cloudwatch?.dropped], [true, true, 0, 50]);
        assert.match(
          run.stderr,
          /^logferry: lines not delivered since start, counted in logStats\(\) \(at exit\): cloudwatch 50 dropped, 0 refused \(last error: .*\)$/m,
        );
      }
    } finally {
      await server.stop();
    }
  });

  it('after closeLogs(), flushLogs() says closed with the close outcome, not timedOut at 0 ms', async () => {
    const run = await runFixture('flush-result', { env: { NODE_ENV: 'production' }, args: ['after-close'] });
    assert.equal(run.code, 0, run.stderr);
    const close = printed(run.stderr, 'close');
    const flush = printed(run.stderr, 'flush');
    assert.deepEqual([close.delivered, close.settled, close.timedOut, close.closed], [true, true, false, false]);
    assert.deepEqual([flush.delivered, flush.settled, flush.timedOut, flush.closed], [true, true, false, true]);
    assert.equal(flush.dropped, 0);
  });

  it('nothing to flush (the test profile logs nothing): delivered and settled at once', async () => {
    const run = await runFixture('flush-result', { env: { NODE_ENV: 'test' }, args: ['nothing'] });
    assert.equal(run.code, 0, run.stderr);
    const flush = printed(run.stderr, 'flush');
    assert.deepEqual([flush.delivered, flush.settled, flush.timedOut, flush.closed, flush.dropped], [true, true, false, false, 0]);
  });
});
