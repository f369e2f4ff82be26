import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeLogs, flushLogs } from '../src/index.js';
import { hostileCorpus } from './support/hostile-corpus.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

const production = { NODE_ENV: 'production' };
const unreachableCloudWatch = {
  CLOUDWATCH_LOG_GROUP: '/contract/unreachable',
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'local-test-key-id',
  AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const run = (scenario: string, env: Record<string, string> = production) => runFixture('contract', { env, args: [scenario] });

describe('the public contract, in a fresh process each', () => {
  it('1,000 createLogger calls share one root; JSON to stdout alone starts no worker thread', async () => {
    const result = await run('one-root');
    assert.match(result.stderr, /workers=0\n/);
    assert.equal(jsonLines(result.stdout).length, 1000);
  });

  it('1,000 createLogger calls share one worker thread when a sink needs one (pretty stdout)', async () => {
    const result = await run('one-root', { ...production, LOG_PRETTY: '1', NO_COLOR: '1' });
    assert.match(result.stderr, /workers=1\n/);
    assert.equal(result.stdout.split('\n').filter((line) => line.includes('hello')).length, 1000);
  });

  it('child loggers bind module; file URLs and absolute paths are shortened', async () => {
    const lines = jsonLines((await run('module-names')).stdout);
    assert.deepEqual(
      lines.map((line) => line.module),
      ['plain', 'src/graphql/resolvers', 'src/db/pool', 'bound'],
    );
    assert.equal(lines[3]?.service, 'api');
  });

  it('the transactional channel keeps its fields top-level and carries channel', async () => {
    const [first, second] = jsonLines((await run('transactional')).stdout);
    assert.equal(first?.channel, 'transactional');
    assert.equal(first?.organizationId, 'org-1');
    assert.equal(first?.userEmail, 'a@b.c');
    assert.equal(first?.msg, 'Organization was successfully added');
    assert.equal(second?.channel, 'transactional');
    assert.equal(second?.module, 'billing');
  });

  it('withLogContext fields ride along across awaits, nested contexts merge', async () => {
    const [inside, outer, outside] = jsonLines((await run('context')).stdout);
    assert.deepEqual([inside?.requestId, inside?.userId, inside?.route], ['req-1', 'u-1', '/graphql']);
    assert.deepEqual([outer?.requestId, outer?.route], ['req-1', undefined]);
    assert.equal(outside?.requestId, undefined);
  });

  it('secrets in nested headers and config are censored on stdout', async () => {
    const { stdout } = await run('redaction');
    const [line] = jsonLines(stdout) as Array<Record<string, any>>;
    assert.equal(line?.req.headers.authorization, '[Redacted]');
    assert.equal(line?.req.headers.cookie, '[Redacted]');
    assert.equal(line?.creds.awsSecretAccessKey, '[Redacted]');
    assert.equal(line?.req.method, 'GET');
    assert.ok(!stdout.includes('tok-123') && !stdout.includes('sid=abc') && !stdout.includes('AKS-SECRET'));
  });

  it('per-module levels from LOG_LEVEL', async () => {
    const { stdout } = await run('levels', { ...production, LOG_LEVEL: 'info,db=debug' });
    assert.deepEqual(
      jsonLines(stdout).map((line) => line.msg),
      ['db debug', 'db info', 'db/pool debug', 'db/pool info', 'http info', 'other info'],
    );
  });

  it('LOG_LEVEL_CONSOLE filters stdout on its own', async () => {
    const { stdout } = await run('levels', { ...production, LOG_LEVEL: 'debug', LOG_LEVEL_CONSOLE: 'info' });
    assert.ok(jsonLines(stdout).every((line) => line.level === 30));
  });

  it('configureLogging after the root exists throws a clear error', async () => {
    const { stderr } = await run('configure-after');
    assert.match(stderr, /threw: logferry: configureLogging\(\) was called after the first logger was created/);
  });

  it('configureLogging before the first logger overrides the environment', async () => {
    const lines = jsonLines((await run('configure-before')).stdout);
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['shown', 'audit debug shown'],
    );
    assert.equal(lines[0]?.ssn, '[Redacted]');
  });

  it('a dead worker thread never crashes the app: one notice, stdout keeps going from the app thread at LOG_LEVEL_CONSOLE', async () => {
    // A sink that needs the worker (CloudWatch, never reached: only transactional lines go to it).
    const result = await run('worker-dies', { ...production, ...unreachableCloudWatch, LOG_LEVEL: 'debug', LOG_LEVEL_CONSOLE: 'info' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /survived/);
    assert.doesNotMatch(result.stderr, /exit wait ran out/, 'exit must not wait on a worker that is gone');
    assert.equal(result.stderr.match(/the log worker thread failed/g)?.length, 1);
    assert.deepEqual(
      jsonLines(result.stdout).map((line) => line.msg),
      ['before', 'after one', 'after two'],
    );
    // Flushes go on, for stdout alone, and say what it wrote.
    const flush = JSON.parse(/flushAfterDeath=(.*)\n/.exec(result.stderr)?.[1] ?? '{}');
    assert.deepEqual(Object.keys(flush.sinks), ['stdout']);
    assert.equal(flush.settled, true);
  });

  it('the Lambda line count goes on after the worker dies and stdout takes over', async () => {
    const result = await run('count-after-worker-dies', { ...production, ...unreachableCloudWatch, LOG_LEVEL: 'info' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr.match(/the log worker thread failed/g)?.length, 1, result.stderr);
    const [atDeath, atEnd] = (/counted=(\d+),(\d+)/.exec(result.stderr) ?? []).slice(1).map(Number);
    assert.equal(atDeath, 1, result.stderr);
    assert.equal(atEnd, 3, 'the two lines logged after the worker died are counted');
    assert.deepEqual(
      jsonLines(result.stdout).map((line) => line.msg),
      ['before', 'counted before the death', 'after one', 'after two'],
    );
  });

  it('flushLogs resolves with per-sink delivery and counters', async () => {
    const { stderr } = await run('flush-result');
    const result = JSON.parse(/result=(.*)\n/.exec(stderr)?.[1] ?? '{}');
    assert.equal(result.delivered, true);
    assert.equal(result.sinks.stdout.flushed, true);
    assert.equal(result.sinks.stdout.delivered, 1);
  });

  it('the test profile is silent and starts no worker', async () => {
    const result = await runFixture('contract', { env: { NODE_ENV: 'test' }, args: ['one-root'] });
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /workers=0\n/);
  });

  it('a burst logged without yielding holds at most LOG_MAX_APP_BACKLOG_BYTES on the app thread, and loses nothing', async () => {
    const burst = async (cap: number) => {
      const env = { ...production, BURST_LINES: '200000', LOG_MAX_APP_BACKLOG_BYTES: String(cap) };
      // --expose-gc: the fixture collects before it measures, so chunks already written and dead
      // are not counted as held (when V8 frees them varies by Node version).
      const result = await runFixture('contract', { env, args: ['burst'], nodeArgs: ['--expose-gc'] });
      const held = Number(/heldMiB=([\d.]+)/.exec(result.stderr)?.[1]);
      const lines = jsonLines(result.stdout).filter((line) => line.msg === 'burst line');
      assert.equal(lines.length, 200_000);
      assert.deepEqual([lines[0]?.seq, lines.at(-1)?.seq], [0, 199_999]);
      return held;
    };
    // ~50 MiB of lines: with a 1 MiB bound the app holds about that bound (and the heap it has
    // anyway), written while the loop runs at the pace stdout takes them; with 512 MiB (the
    // control) it holds them all until the loop ends.
    assert.ok((await burst(1024 * 1024)) < 25);
    assert.ok((await burst(512 * 1024 * 1024)) > 50);
  });

  it('development prints pretty lines', async () => {
    const { stdout } = await runFixture('contract', { env: { NODE_ENV: 'development', NO_COLOR: '1' }, args: ['transactional'] });
    assert.match(stdout, /INFO.*Organization was successfully added/);
    assert.match(stdout, /organizationId: "org-1"/);
  });
});

describe('hostile input through the real pipeline', () => {
  it('every hostile line arrives on stdout as JSON, and nothing crashes', async () => {
    const result = await runFixture('hostile', { env: production });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /delivered=true/);
    const lines = jsonLines(result.stdout);
    const cases = new Set(lines.map((line) => line.case));
    for (const [name] of hostileCorpus()) assert.ok(cases.has(name), `missing: ${name}`);
    // Over LOG_MAX_LINE_BYTES (1 MiB by default): fitted on the app's thread, still JSON, its size said.
    const big = lines.find((line) => line.case === '2 MiB string') as Record<string, any>;
    assert.ok(/^x{1000}x*…\[truncated by logferry: 2097152 bytes\]$/.test(big.value), String(big.value).slice(-80));
    assert.ok(big.logferryTruncated.originalBytes > 1024 * 1024, JSON.stringify(big.logferryTruncated));
    for (const line of result.stdout.split('\n')) assert.ok(Buffer.byteLength(line) < 1024 * 1024, 'no line over the cap');
    const getter = lines.find((line) => line.case === 'throwing getter');
    assert.deepEqual(getter?.value, { explodes: '[Unreadable: getter exploded]' });
    const cycle = lines.find((line) => line.msg === 'hostile error as first argument') as Record<string, any>;
    assert.equal(cycle.err.message, 'cause b');
    assert.ok(lines.some((line) => line.msg === 'a string where an error goes'));
  });
});

describe('flushLogs and closeLogs arguments', () => {
  it('a timeout that is not a number of milliseconds is a TypeError, not an unbounded wait', async () => {
    for (const bad of [{ timeoutMs: 1000 }, Number.NaN, -1, '500']) {
      await assert.rejects(
        flushLogs(bad as never),
        (error: Error) => error instanceof TypeError && /flushLogs\(timeoutMs\)/.test(error.message),
      );
      await assert.rejects(closeLogs(bad as never), /closeLogs\(timeoutMs\)/);
    }
  });
});
