import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { type LocalBugsnag, withReceiver } from './support/bugsnag-receiver.js';
import { printedFlush } from './support/cloudwatch-env.js';
import { runFixture } from './support/run-fixture.js';

// The real @bugsnag/js notifier, in the log worker, against a local receiver over HTTP.
// Each test has a receiver of its own so they can run side by side.

const scenario = (receiver: LocalBugsnag, name: string, extra: Record<string, string> = {}) =>
  runFixture('bugsnag-app', { env: bugsnagEnv(receiver, extra), args: [name] });

describe('Bugsnag sink against a local receiver', { concurrency: true }, () => {
  it("a handled TypeError arrives with its class, message, the app's top frame, context, user and metadata", () =>
    withReceiver(async (receiver) => {
      const run = await scenario(receiver, 'handled');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(printedFlush(run.stderr).delivered, true);
      assert.deepEqual(receiver.problems, []);
      const [event] = receiver.events;
      assert.ok(event);
      const [exception] = event.exceptions;
      assert.equal(exception?.errorClass, 'TypeError');
      assert.equal(exception?.message, 'amount twelve is not a number');
      const top = exception?.stacktrace[0];
      assert.match(String(top?.file), /fixtures\/bugsnag-app\.js$/);
      assert.equal(top?.lineNumber, Number(/throw-line=(\d+)/.exec(run.stderr)?.[1]));
      assert.ok(
        !exception?.stacktrace.some((frame) => /transports\/|thread-stream|pino/.test(String(frame.file))),
        'a worker frame leaked in',
      );
      assert.equal(event.severity, 'error');
      assert.equal(event.unhandled, false);
      assert.equal(event.severityReason.type, 'handledException');
      assert.equal(event.context, 'POST /graphql');
      assert.deepEqual(event.user, { id: 'u-42', email: 'ada@example.com' });
      assert.equal(event.metaData?.log?.invoiceId, 'inv-7');
      assert.equal(event.metaData?.log?.msg, 'could not parse the amount');
      assert.equal(event.app?.releaseStage, 'production');
      assert.equal(event.app?.version, '1.2.3');
    }));

  it('a two-level cause chain arrives as three errors, in order', () =>
    withReceiver(async (receiver) => {
      await scenario(receiver, 'cause');
      const exceptions = receiver.events[0]?.exceptions ?? [];
      assert.deepEqual(
        exceptions.map((e) => [e.errorClass, e.message]),
        [
          ['RangeError', 'could not load invoices'],
          ['Error', 'query failed'],
          ['Error', 'connection refused'],
        ],
      );
      assert.equal(receiver.events[0]?.context, 'billing/invoices');
      assert.equal(receiver.events[0]?.metaData?.error, undefined, 'the RangeError has no own properties to show');
    }));

  it('an uncaught exception arrives as unhandled, with the lines before it as breadcrumbs, and the process exits with code 1', () =>
    withReceiver(async (receiver) => {
      const run = await scenario(receiver, 'uncaught', { LOG_LEVEL: 'debug' });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /SyntaxError: ledger answered garbage/);
      assert.equal(receiver.events.length, 1, run.stderr);
      const [event] = receiver.events;
      assert.equal(event?.unhandled, true);
      assert.equal(event?.severity, 'error');
      assert.equal(event?.severityReason.type, 'unhandledException');
      assert.equal(event?.exceptions[0]?.errorClass, 'SyntaxError');
      assert.deepEqual(
        event?.breadcrumbs?.map((crumb) => [crumb.name, crumb.type, crumb.metaData?.step]),
        [
          ['loading invoices', 'log', 1],
          ['cache miss', 'log', 2],
          ['calling the ledger', 'log', 3],
        ],
      );
    }));

  it('rules: info and handled, ignore, grouping by message; other errors untouched', () =>
    withReceiver(async (receiver) => {
      const rules = [
        { errorClass: 'RangeError', severity: 'info', unhandled: false },
        { errorClass: 'NoiseError', ignore: true },
        { messageMatches: '^user \\d+ not found$', groupingHash: 'message' },
      ];
      const options = {
        bugsnag: {
          apiKey: '0123456789abcdef0123456789abcdef',
          rules,
          endpoints: { notify: receiver.notifyUrl, sessions: receiver.sessionsUrl },
        },
      };
      const run = await scenario(receiver, 'rules', { LOGFERRY_TEST_OPTIONS: JSON.stringify(options) });
      assert.equal(run.code, 0, run.stderr);
      const byClass = new Map(receiver.events.map((event) => [event.exceptions[0]?.errorClass, event]));
      assert.deepEqual([...byClass.keys()].sort(), ['EvalError', 'RangeError', 'TypeError']);
      assert.equal(byClass.get('RangeError')?.severity, 'info');
      assert.equal(byClass.get('RangeError')?.unhandled, false);
      assert.equal(byClass.get('RangeError')?.severityReason.type, 'userSpecifiedSeverity');
      assert.equal(byClass.get('TypeError')?.groupingHash, 'user 123 not found');
      assert.equal(byClass.get('EvalError')?.severity, 'error');
      assert.equal(printedFlush(run.stderr).sinks.bugsnag?.suppressed, 1);
    }));

  it('warn lines without errors from two modules group into two classes, as warnings', () =>
    withReceiver(async (receiver) => {
      await scenario(receiver, 'warn-groups');
      assert.deepEqual(receiver.events.map((event) => event.exceptions[0]?.errorClass).sort(), [
        'LogWarning (auth)',
        'LogWarning (billing)',
        'LogWarning (billing)',
      ]);
      assert.ok(receiver.events.every((event) => event.severity === 'warning' && event.exceptions[0]?.stacktrace.length === 0));
      assert.deepEqual(receiver.events.map((event) => event.exceptions[0]?.message).sort(), [
        'retrying payment provider',
        'retrying payment provider',
        'token about to expire',
      ]);
    }));

  it('secrets in fields, error properties and breadcrumbs never appear in any payload', () =>
    withReceiver(async (receiver) => {
      await scenario(receiver, 'secrets');
      assert.equal(receiver.events.length, 2);
      const everything = receiver.payloads.map((payload) => payload.raw).join('\n');
      for (let i = 1; i <= 8; i++) assert.ok(!everything.includes(`SECRET${i}`), `SECRET${i} reached Bugsnag`);
      // Censored twice over: by logferry on the app's thread, and by Bugsnag's redactedKeys in the worker.
      assert.match(everything, /\[Redacted\]|\[REDACTED\]/);
      const errorTab = receiver.events.find((event) => event.exceptions[0]?.errorClass === 'Error')?.metaData?.error as Record<string, any>;
      assert.match(String(errorTab?.config?.headers?.Authorization), /^\[(Redacted|REDACTED)\]$/);
    }));

  it('a burst of the same error is rate-limited and the suppressed count is reported', () =>
    withReceiver(async (receiver) => {
      const run = await scenario(receiver, 'burst');
      assert.equal(receiver.events.length, 10);
      assert.equal(printedFlush(run.stderr).sinks.bugsnag?.suppressed, 90);
    }));

  it('answers lost after the events were stored: each is sent again, none lost, every extra copy counted and reported', () =>
    withReceiver(async (receiver) => {
      receiver.loseAnswersFor(1000);
      const run = await runFixture('bugsnag-app', {
        env: bugsnagEnv(receiver, { EVENTS: '5', FLUSH_TIMEOUT_MS: '20000' }),
        args: ['many'],
      });
      assert.equal(run.code, 0, run.stderr);
      const seqs = receiver.events.map((event) => Number(event.metaData?.log?.seq));
      assert.deepEqual([...new Set(seqs)].sort(), [0, 1, 2, 3, 4]);
      const stats = printedFlush(run.stderr).sinks.bugsnag ?? {};
      assert.ok(seqs.length > 5, 'the receiver stored the unanswered requests');
      assert.equal(stats.possibleDuplicates, seqs.length - 5);
      assert.equal(stats.delivered, 5);
      assert.match(run.stderr, /logferry: Bugsnag: an event got no answer and was sent again/);
      assert.deepEqual(receiver.problems, []);
    }));

  it('5xx for 10 s, then recovery: every event arrives exactly once', () =>
    withReceiver(async (receiver) => {
      receiver.failFor(10_000);
      receiver.dropNext(2);
      const run = await runFixture('bugsnag-app', {
        env: bugsnagEnv(receiver, { EVENTS: '30', FLUSH_TIMEOUT_MS: '40000' }),
        args: ['many'],
        timeoutMs: 60_000,
      });
      assert.equal(run.code, 0, run.stderr);
      const flush = printedFlush(run.stderr);
      assert.equal(flush.delivered, true);
      const seqs = receiver.events.map((event) => event.metaData?.log?.seq).sort((a, b) => Number(a) - Number(b));
      assert.deepEqual(
        seqs,
        Array.from({ length: 30 }, (_, i) => i),
      );
      assert.ok((flush.sinks.bugsnag?.retries as number) > 0);
      assert.deepEqual(receiver.problems, []);
    }));
});
