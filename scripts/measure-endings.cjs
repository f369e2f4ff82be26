// Measures two endings against the local CloudWatch server (docs/failure-modes-app.md): lines
// logged after a signal (the late-lines fixture, CloudWatch answering in 200 ms), and
// closeLogs(500) with CloudWatch answering in 4 s (the close-bound fixture).
// Run after npm run build: node scripts/measure-endings.cjs
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { LocalCloudWatchLogs } = require('../dist/test/support/cloudwatch-server.js');
const { cloudWatchEnv } = require('../dist/test/support/cloudwatch-env.js');
const { returnedSeqs, signalWhileLogging } = require('../dist/test/support/late-lines-run.js');
const { runFixture } = require('../dist/test/support/run-fixture.js');

(async () => {
  const server = await new LocalCloudWatchLogs().start();
  const dir = mkdtempSync(join(tmpdir(), 'logferry-endings-'));
  server.delayMs = 200;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    const group = `/measure/late-${signal}`;
    const record = join(dir, signal);
    const { run, atSignal, signalAt } = await signalWhileLogging(
      signal,
      cloudWatchEnv(server, group, { LOG_EXIT_TIMEOUT_MS: '10000' }),
      record,
    );
    const gone = Date.now() - signalAt;
    const stored = new Set(server.messages(group).map((message) => message.seq));
    const logged = returnedSeqs(record);
    const missing = logged.filter((seq) => !stored.has(seq)).length;
    console.log(
      `${signal}: ended by ${run.signal}, ${logged.length} calls returned (${atSignal} before the signal), ${missing} missing, gone ${gone} ms after the signal`,
    );
  }
  server.delayMs = 4000;
  for (let i = 0; i < 3; i++) {
    const run = await runFixture('close-bound', {
      env: cloudWatchEnv(server, `/measure/close-${i}`, { LOG_EXIT_TIMEOUT_MS: '6000', CLOSE_MS: '500' }),
    });
    console.log(`closeLogs(500): ${/^close=(.*)$/m.exec(run.stderr)?.[1]}`);
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
})();
