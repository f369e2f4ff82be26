import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';
import { waitFor } from './support/wait-for.js';

// An orderly exit while the endpoint misbehaves (issue 27): one hung request must not take the
// whole LOG_EXIT_TIMEOUT_MS, and what the exit says it lost is exactly what is missing. Real child
// processes (test/fixtures/exit-path.ts) against the local server.

const LINES = 2000;
/** The fixture's lines plus its handled error line, all shipped under CLOUDWATCH_SCOPE=all. */
const SHIPPED = LINES + 1;
let server: LocalCloudWatchLogs;
let groupCounter = 0;

function copiesBySeq(group: string): Map<unknown, number> {
  const copies = new Map<unknown, number>();
  for (const message of server.messages(group)) copies.set(message.seq, (copies.get(message.seq) ?? 0) + 1);
  return copies;
}

describe('CloudWatch at exit, the endpoint misbehaving', () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it('a request that hangs at exit is sent again within the exit budget; the copy it stores is counted', async () => {
    const group = `/logferry/exit-faults-${process.pid}-${++groupCounter}`;
    // The first PutLogEvents is held 5 s before it is stored: longer than the 3 s exit budget.
    server.failNext('stall', 1, 'PutLogEvents');
    const run = await runFixture('exit-path', {
      env: cloudWatchEnv(server, group, { CLOUDWATCH_SCOPE: 'all', LOG_EXIT_TIMEOUT_MS: '3000' }),
      args: ['exit0', String(LINES)],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /not delivered/, run.stderr);
    assert.equal(copiesBySeq(group).size, SHIPPED, 'every line arrived before the process was gone');
    // The held request is stored too, after the process is gone: the copies it made were counted.
    await waitFor('the held request to be stored', () => server.eventCount(group) === 2 * SHIPPED, 10_000);
    const said = /cloudwatch may hold (\d+) lines twice/.exec(run.stderr);
    assert.equal(Number(said?.[1]), SHIPPED, run.stderr);
  });

  it('a request already hanging when SIGTERM comes gets the short bound too, and the batch is sent again in time', async () => {
    const group = `/logferry/exit-faults-${process.pid}-${++groupCounter}`;
    server.failNext('stall', 1, 'PutLogEvents');
    const putsBefore = server.callCount('PutLogEvents');
    const run = await runFixture('exit-path', {
      env: cloudWatchEnv(server, group, { CLOUDWATCH_SCOPE: 'all', LOG_EXIT_TIMEOUT_MS: '3000' }),
      args: ['SIGTERM', String(LINES)],
      onStderr: {
        marker: 'fixture-ready',
        // The signal comes once the first request is held at the endpoint.
        act: (child) =>
          void waitFor('the first PutLogEvents', () => server.callCount('PutLogEvents') > putsBefore, 10_000).then(() =>
            child.kill('SIGTERM'),
          ),
      },
    });
    assert.equal(run.signal, 'SIGTERM', run.stderr);
    assert.doesNotMatch(run.stderr, /not delivered/, run.stderr);
    assert.equal(copiesBySeq(group).size, SHIPPED, 'every line arrived before the process was gone');
    await waitFor('the held request to be stored', () => server.eventCount(group) >= SHIPPED + 1, 10_000);
  });

  it('an endpoint down for the whole exit: every line is said lost, and exactly those are missing', async () => {
    const group = `/logferry/exit-faults-${process.pid}-${++groupCounter}`;
    server.failFor('500', 60_000, 'PutLogEvents');
    const putsBefore = server.callCount('PutLogEvents');
    try {
      const run = await runFixture('exit-path', {
        env: cloudWatchEnv(server, group, { CLOUDWATCH_SCOPE: 'all', LOG_EXIT_TIMEOUT_MS: '2500' }),
        args: ['exit0', String(LINES)],
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(
          `exit wait ran out after 2500 ms \\(LOG_EXIT_TIMEOUT_MS\\); not delivered: cloudwatch \\(${SHIPPED} pending, 0 dropped\\)`,
        ),
        run.stderr,
      );
      assert.equal(server.eventCount(group), 0);
      // Retried at a short pace while the exit waits: an endpoint back after a short outage is used at once.
      const puts = server.callCount('PutLogEvents') - putsBefore;
      assert.ok(puts >= 7, `only ${puts} attempts in 2.5 s`);
    } finally {
      server.clearFaults();
    }
  });
});
