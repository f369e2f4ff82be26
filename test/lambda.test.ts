import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { xrayRootOf } from '../src/context/xray.js';
import { LogferryConfigError } from '../src/errors.js';
import { withLambdaLogging } from '../src/integrations/lambda.js';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag, type ReceivedEvent } from './support/bugsnag-receiver.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { fixturePath, jsonLines, runFixture } from './support/run-fixture.js';
import { waitFor } from './support/wait-for.js';

// withLambdaLogging in a child process that is called the way the Lambda runtime calls a
// handler, against the local CloudWatch server and Bugsnag receiver.

const LINES = 30;
let cloudwatch: LocalCloudWatchLogs;
let bugsnag: LocalBugsnag;

/** The one-letter state of a process in /proc: `T` once SIGSTOP has taken effect. */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

const traceIdOf = (n: number) => `1-5759e988-${String(n).padStart(24, '0')}`;

describe('withLambdaLogging', { concurrency: true }, () => {
  before(async () => {
    cloudwatch = await new LocalCloudWatchLogs().start();
    bugsnag = await new LocalBugsnag().start();
  });
  after(async () => {
    await cloudwatch.stop();
    await bugsnag.stop();
  });

  it('reads the Root of an X-Ray trace header, and nothing from a header without one', () => {
    assert.equal(
      xrayRootOf('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1'),
      '1-5759e988-bd862e3fe1be46a994272793',
    );
    assert.equal(xrayRootOf('Parent=557abcec3ee5a047; Root=1-abc;Sampled=0'), '1-abc');
    assert.equal(xrayRootOf('Parent=557abcec3ee5a047;Sampled=1'), undefined);
    assert.equal(xrayRootOf(undefined), undefined);
  });

  it('a flushMarginMs that is not a number of milliseconds >= 0 is a LogferryConfigError naming it', () => {
    for (const flushMarginMs of [-1, Number.NaN, '500' as unknown as number]) {
      assert.throws(
        () => withLambdaLogging(async () => 1, { flushMarginMs }),
        (error) => error instanceof LogferryConfigError && /withLambdaLogging flushMarginMs/.test(error.message),
      );
    }
  });

  it('a callback-style handler (event, context, callback) is a LogferryConfigError when wrapped, naming the async fix', () => {
    const callbackStyle = (_event: unknown, _context: unknown, callback: (error: null, result: unknown) => void) => callback(null, 1);
    assert.throws(
      () => withLambdaLogging(callbackStyle as unknown as (event: unknown) => void),
      (error) =>
        error instanceof LogferryConfigError &&
        /withLambdaLogging handler=.*\(event, context, callback\).*callback-style handlers are not supported: make it an async handler/.test(
          error.message,
        ),
    );
    assert.throws(() => withLambdaLogging(undefined as unknown as () => void), LogferryConfigError);
    // Two parameters, or fewer, or rest parameters (length 0) are fine.
    for (const handler of [async (_event: unknown, _context: unknown) => 1, async () => 1, async (..._args: unknown[]) => 1]) {
      assert.equal(typeof withLambdaLogging(handler), 'function');
    }
  });

  it('when each of 20 invocations returns and the process is frozen (SIGSTOP), its lines are already in CloudWatch and Bugsnag', async () => {
    const group = '/lambda/freeze';
    const env = {
      ...bugsnagEnv(bugsnag),
      ...cloudWatchEnv(cloudwatch, group, { CLOUDWATCH_SCOPE: 'all' }),
      LINES_PER_INVOCATION: String(LINES),
    };
    const child = spawn(process.execPath, [fixturePath('lambda-app'), 'freeze'], { env: { PATH: process.env.PATH, ...env } });
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const findings: string[] = [];
    const frozen: number[] = [];
    let stderr = '';
    let checking = Promise.resolve();

    const checkFrozen = async (n: number, outcome: string): Promise<void> => {
      // The check counts only once the process is really stopped: nothing it holds can be sent meanwhile.
      await waitFor(`invocation ${n} to be frozen`, () => processState(child.pid ?? 0) === 'T', 10_000, 2);
      frozen.push(n);
      const requestId = `req-${n}`;
      const lines = cloudwatch.messages(group).filter((line) => line.requestId === requestId);
      const failing = n === 7;
      const expected = LINES + 2 + (failing ? 1 : 0);
      if (lines.length !== expected) findings.push(`invocation ${n}: ${lines.length} of ${expected} lines in CloudWatch at the freeze`);
      for (const line of lines) {
        const wrong = ['functionName', 'functionVersion', 'coldStart', 'xrayTraceId'].filter(
          (field) =>
            line[field] !==
            { functionName: 'logferry-fixture', functionVersion: '$LATEST', coldStart: n === 1, xrayTraceId: traceIdOf(n) }[field],
        );
        if (wrong.length > 0) findings.push(`invocation ${n}: a line has wrong ${wrong.join(', ')}: ${JSON.stringify(line)}`);
      }
      const events = bugsnag.events.filter((event: ReceivedEvent) => event.metaData?.log?.requestId === requestId);
      if (!events.some((event) => event.exceptions[0]?.message === `slow downstream in invocation ${n}`)) {
        findings.push(`invocation ${n}: its warning was not in Bugsnag at the freeze`);
      }
      if (failing) {
        if (outcome !== 'rethrown unchanged') findings.push(`invocation ${n}: the handler's error was ${outcome}`);
        const failure = events.find((event) => event.exceptions[0]?.message === 'the handler failed on purpose');
        if (failure?.unhandled !== true || failure.exceptions[0]?.errorClass !== 'TypeError') {
          findings.push(`invocation ${n}: the handler's error was not in Bugsnag as an unhandled TypeError: ${JSON.stringify(failure)}`);
        }
      } else if (outcome !== 'returned') findings.push(`invocation ${n}: ${outcome}`);
      child.kill('SIGCONT');
    };

    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const match of chunk.toString().matchAll(/^frozen=(\d+) outcome=(.*)$/gm)) {
        const n = Number(match[1]);
        const outcome = match[2] ?? '';
        checking = checking
          .then(() => checkFrozen(n, outcome))
          .catch((error: Error) => {
            findings.push(error.message);
            child.kill('SIGCONT');
          });
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    await checking;
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      frozen,
      Array.from({ length: 20 }, (_, index) => index + 1),
      stderr,
    );
    assert.deepEqual(findings, []);
    assert.deepEqual(bugsnag.problems, []);
  });

  // Powertools logger tests: each invocation's xray_trace_id is the one the runtime gave it.
  it('concurrent invocations in one process each put their own requestId and X-Ray trace id on their lines', async () => {
    const run = await runFixture('lambda-app', {
      args: ['concurrent'],
      env: { NODE_ENV: 'production', LOG_LEVEL_CONSOLE: 'info', _X_AMZN_TRACE_ID: 'Root=1-5759e988-000000000000000000000000' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /results=\[1,2,3,4,5,6,7,8,9,10\]/);
    const lines = jsonLines(run.stdout).filter((line) => line.msg === 'step');
    assert.equal(lines.length, 50);
    // The lines really interleave: otherwise this would prove nothing about concurrency.
    const order = lines.map((line) => line.invocation);
    assert.notDeepEqual(
      order,
      [...order].sort((a, b) => Number(a) - Number(b)),
    );
    for (const line of lines) {
      assert.equal(line.requestId, `req-${line.invocation}`, JSON.stringify(line));
      assert.equal(line.xrayTraceId, traceIdOf(Number(line.invocation)), "a line carries another invocation's trace id");
    }
    const coldStarts = new Set(lines.filter((line) => line.coldStart === true).map((line) => line.invocation));
    assert.deepEqual([...coldStarts], [1]);
  });

  it('on Lambda with NODE_ENV unset, lines go to stdout as one JSON line each at info (production), unless LOG_PRETTY=1', async () => {
    const onLambda = { AWS_LAMBDA_FUNCTION_NAME: 'logferry-fixture' };
    const run = await runFixture('lambda-app', { args: ['profile'], env: onLambda });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg, line.requestId]),
      [[30, 'an info line', 'req-1']],
    );
    // Asked for explicitly, pretty output and development's debug level still apply.
    for (const env of [
      { ...onLambda, LOG_PRETTY: '1' },
      { ...onLambda, NODE_ENV: 'development' },
    ]) {
      const pretty = await runFixture('lambda-app', { args: ['profile'], env });
      assert.equal(pretty.code, 0, pretty.stderr);
      assert.throws(() => jsonLines(pretty.stdout), /not JSON/, JSON.stringify(env));
      assert.match(pretty.stdout, /INFO.*an info line/, JSON.stringify(env));
    }
  });

  it('a context without getRemainingTimeInMillis waits for delivery up to the exit timeout, not 0 ms', async () => {
    const before = bugsnag.events.length;
    bugsnag.delayMs = 150;
    try {
      const run = await runFixture('lambda-app', {
        args: ['no-remaining-time'],
        env: { ...bugsnagEnv(bugsnag), LOG_LEVEL_CONSOLE: 'fatal' },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /returned/);
      assert.doesNotMatch(run.stderr, /returned before every line was delivered/);
      assert.ok(bugsnag.events.slice(before).some((event) => event.exceptions[0]?.message === 'a warning for Bugsnag'));
    } finally {
      bugsnag.delayMs = 0;
    }
  });

  // Powertools logger tests: function_arn and function_memory_size from the context, and
  // cold_start false on every invocation of an environment initialized for provisioned concurrency.
  it('lines carry the function ARN and memory size; coldStart is the first invocation only, never under provisioned concurrency', async () => {
    for (const initialization of ['on-demand', 'provisioned-concurrency']) {
      const run = await runFixture('lambda-app', {
        args: ['full-context'],
        env: { NODE_ENV: 'production', LOG_LEVEL_CONSOLE: 'info', AWS_LAMBDA_INITIALIZATION_TYPE: initialization },
      });
      assert.equal(run.code, 0, run.stderr);
      const lines = jsonLines(run.stdout).filter((line) => line.msg === 'with the full context');
      assert.deepEqual(
        lines.map((line) => [line.invocation, line.coldStart]),
        [
          [1, initialization === 'on-demand'],
          [2, false],
        ],
      );
      for (const line of lines) {
        assert.equal(line.functionArn, 'arn:aws:lambda:eu-west-1:123456789012:function:logferry-fixture:live');
        assert.equal(line.functionMemorySize, 128);
      }
    }
  });

  it('an invocation that logged nothing returns without a flush round trip to the worker', async () => {
    const run = await runFixture('lambda-app', { args: ['idle'], env: { NODE_ENV: 'production', LOG_LEVEL_CONSOLE: 'info' } });
    assert.equal(run.code, 0, run.stderr);
    const [before, afterLogging, afterIdle] = JSON.parse(/^markers=(.*)$/m.exec(run.stderr)?.[1] ?? '[]') as number[];
    assert.equal(afterLogging, (before ?? 0) + 1, 'the invocation that logged flushed once');
    assert.equal(afterIdle, afterLogging, 'the invocations that logged nothing flushed');
    assert.equal(jsonLines(run.stdout).filter((line) => line.requestId === 'req-1').length, 1);
  });
});
