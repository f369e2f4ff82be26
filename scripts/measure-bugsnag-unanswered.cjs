// Measures the Bugsnag sink against a receiver that leaves requests unanswered (docs/failure-modes-app.md).
// Run after npm run build: node scripts/measure-bugsnag-unanswered.cjs
const { LocalBugsnag } = require('../dist/test/support/bugsnag-receiver.js');
const { bugsnagEnv, TEST_BUGSNAG_KEY } = require('../dist/test/support/bugsnag-env.js');
const { runFixture } = require('../dist/test/support/run-fixture.js');
(async () => {
  for (const [held, name, extra] of [
    [8, 'many', { FLUSH_TIMEOUT_MS: '30000' }],
    [1e6, 'many', { FLUSH_TIMEOUT_MS: '5000', LOG_EXIT_TIMEOUT_MS: '3000' }],
  ]) {
    const r = await new LocalBugsnag().start();
    r.leaveUnanswered(held);
    const options = JSON.stringify({
      bugsnag: { apiKey: TEST_BUGSNAG_KEY, endpoints: { notify: r.notifyUrl, sessions: r.sessionsUrl }, requestTimeoutMs: 1000 },
    });
    const t = Date.now();
    const run = await runFixture('bugsnag-app', {
      env: bugsnagEnv(r, { EVENTS: '20', LOGFERRY_TEST_OPTIONS: options, ...extra }),
      args: [name],
    });
    const flush = JSON.parse(/^flush=(.*)$/m.exec(run.stderr)[1]);
    console.log(
      JSON.stringify({
        held,
        wallMs: Date.now() - t,
        flushMs: flush.elapsedMs,
        delivered: flush.delivered,
        timedOut: flush.timedOut,
        stats: (({ delivered, retries, possibleDuplicates, failedRequests, pending }) => ({
          delivered,
          retries,
          possibleDuplicates,
          failedRequests,
          pending,
        }))(flush.sinks.bugsnag),
        stored: r.events.length,
        cpu: /cpuMs=\d+ uptimeMs=\d+/.exec(run.stderr)[0],
      }),
    );
    await r.stop();
  }
})();
