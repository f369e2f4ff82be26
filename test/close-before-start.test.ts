import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// closeLogs() called before the first logger closes logging, as the README says: later lines
// are no-ops with one notice on stderr, and no worker or sink starts (issue 28).
let server: LocalCloudWatchLogs;

describe('closeLogs() before the first logger', () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it('later loggers log nothing, said once on stderr; nothing reaches stdout or CloudWatch', async () => {
    const group = `/logferry/close-first-${process.pid}`;
    const run = await runFixture('close-first', { env: cloudWatchEnv(server, group, { LOG_LEVEL_CONSOLE: 'info' }) });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', 'nothing on stdout');
    const notices = run.stderr.match(/^logferry: a line was logged after closeLogs\(\); it and later lines are ignored$/gm) ?? [];
    assert.equal(notices.length, 1, run.stderr);
    assert.match(run.stderr, /^close=\{"delivered":true,"settled":true,"dropped":0,"timedOut":false,"closed":false,/m);
    assert.match(run.stderr, /^flush=\{"delivered":true,"settled":true,"dropped":0,"timedOut":false,"closed":true,/m);
    assert.equal(server.callCount('PutLogEvents') + server.callCount('CreateLogStream'), 0, 'no sink started');
  });
});
