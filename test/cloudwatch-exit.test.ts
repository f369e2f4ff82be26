import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// Each exit path, in a child process, with 10,000 lines just logged and the endpoint
// answering in 300 ms: every line is in the server when the process is gone.
const LINES = 10_000;
let server: LocalCloudWatchLogs;
let groupCounter = 0;

describe('CloudWatch sink: nothing lost at exit', { concurrency: true }, () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
    server.delayMs = 300;
  });
  after(() => server.stop());

  const paths: Array<[string, { code?: number; signal?: NodeJS.Signals }]> = [
    ['natural', { code: 0 }],
    ['exit0', { code: 0 }],
    ['uncaught', { code: 1 }],
    ['rejection', { code: 1 }],
    ['SIGTERM', { signal: 'SIGTERM' }],
  ];
  for (const [mode, expected] of paths) {
    it(`${mode}: all ${LINES} lines reach CloudWatch`, async () => {
      const group = `/logferry/exit-${process.pid}-${++groupCounter}`;
      const run = await runFixture('exit-path', {
        env: cloudWatchEnv(server, group, { CLOUDWATCH_SCOPE: 'all', LOG_EXIT_TIMEOUT_MS: '8000' }),
        args: [mode, String(LINES)],
        onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGTERM') },
      });
      if (expected.signal) assert.equal(run.signal, expected.signal, run.stderr);
      else assert.equal(run.code, expected.code, run.stderr);
      const messages = server.messages(group);
      const seqs = new Set(messages.map((message) => message.seq));
      for (let i = 0; i < LINES; i++) if (!seqs.has(i)) assert.fail(`line ${i} never reached CloudWatch (${seqs.size} did)`);
      assert.ok(seqs.has(-1), 'the handled error line is missing');
      if (mode === 'uncaught' || mode === 'rejection') assert.ok(messages.some((message) => message.level === 60 && message.unhandled));
      assert.deepEqual(server.limitViolations, []);
    });
  }
});
