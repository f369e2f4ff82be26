import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

// Container runtimes end a process with signals: docker stop and Kubernetes send SIGTERM, a
// closing terminal or some supervisors SIGHUP. Each test is a child process with the local
// CloudWatch server behind it.

const LINES = 5000;
let cloudwatch: LocalCloudWatchLogs;

describe('signals in containers', { concurrency: true }, () => {
  before(async () => {
    cloudwatch = await new LocalCloudWatchLogs().start();
  });
  after(() => cloudwatch.stop());

  it('SIGHUP with no app handler: every line reaches stdout and CloudWatch, then the process dies by SIGHUP', async () => {
    const group = '/containers/sighup';
    const run = await runFixture('container-signal', {
      env: cloudWatchEnv(cloudwatch, group, { LOG_LEVEL_CONSOLE: 'info' }),
      args: ['default', String(LINES)],
      onStderr: { marker: 'fixture-ready', act: (child) => child.kill('SIGHUP') },
    });
    assert.equal(run.signal, 'SIGHUP', `code=${run.code} stderr=${run.stderr}`);
    assert.equal(jsonLines(run.stdout).length, LINES);
    assert.equal(new Set(cloudwatch.messages(group).map((line) => line.seq)).size, LINES);
  });

  it("SIGHUP with the app's own handler is left to the app: the process keeps running, and SIGTERM still delivers everything", async () => {
    const group = '/containers/own-sighup';
    const run = await runFixture('container-signal', {
      env: cloudWatchEnv(cloudwatch, group, { LOG_LEVEL_CONSOLE: 'info' }),
      args: ['own-handler', String(LINES)],
      onStderr: {
        marker: 'fixture-ready',
        act: (child) => {
          child.kill('SIGHUP');
          // The app's handler answers on stderr; only then does the orchestrator stop the container.
          child.stderr?.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('app handled SIGHUP')) child.kill('SIGTERM');
          });
        },
      },
    });
    assert.equal(run.signal, 'SIGTERM', `code=${run.code} stderr=${run.stderr}`);
    assert.match(run.stderr, /app handled SIGHUP/);
    const stdout = jsonLines(run.stdout);
    assert.equal(stdout.filter((line) => line.msg === 'configuration reloaded').length, 1);
    assert.equal(new Set(cloudwatch.messages(group).map((line) => line.seq)).size, LINES);
  });
});
