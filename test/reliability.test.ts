import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { cloudWatchEnv } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { HEAVY_CASES, hostileCorpus, READABLE } from './support/hostile-corpus.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

// The reliability matrix: every exit path × endpoint behaviour, one child process per cell,
// all three sinks on. Each cell logs 5,000 lines across both channels and one handled
// error, then ends; stdout, the CloudWatch server and the Bugsnag receiver must hold every
// line and event they should, each exactly once, except where an answer was lost after the
// endpoint stored a request: the copy sent again is counted, and the count is printed at exit.
// The extra copies must be exactly that count.
const LINES = 5000;
const PATHS: Array<[string, { code?: number; signal?: NodeJS.Signals }]> = [
  ['natural', { code: 0 }],
  ['exit0', { code: 0 }],
  ['exit1', { code: 1 }],
  ['uncaught', { code: 1 }],
  ['rejection', { code: 1 }],
  ['SIGTERM', { signal: 'SIGTERM' }],
  ['SIGINT', { signal: 'SIGINT' }],
  ['close', { code: 0 }],
];
type Endpoint = 'healthy' | 'slow (300 ms)' | '5xx for the first 2 s' | 'answers lost for the first 2 s' | CloudWatchProxied;
/** CloudWatch only (Bugsnag stays healthy): a proxy that answers 413 over 256 KiB, one AccessDenied, then two answers cut mid-body. */
type CloudWatchProxied = 'CloudWatch: 413 over 256 KiB, denied once, 2 bodies cut';
const PROXIED: CloudWatchProxied = 'CloudWatch: 413 over 256 KiB, denied once, 2 bodies cut';
const ENDPOINTS: Endpoint[] = ['healthy', 'slow (300 ms)', '5xx for the first 2 s', 'answers lost for the first 2 s', PROXIED];

let cell = 0;

async function servers(endpoint: Endpoint): Promise<{ cloudwatch: LocalCloudWatchLogs; bugsnag: LocalBugsnag }> {
  const cloudwatch = await new LocalCloudWatchLogs().start();
  const bugsnag = await new LocalBugsnag().start();
  if (endpoint === 'slow (300 ms)') {
    cloudwatch.delayMs = 300;
    bugsnag.delayMs = 300;
  }
  if (endpoint === '5xx for the first 2 s') {
    cloudwatch.failFor('500', 2000);
    bugsnag.failFor(2000);
  }
  if (endpoint === 'answers lost for the first 2 s') {
    cloudwatch.failFor('lose-answer', 2000);
    bugsnag.loseAnswersFor(2000);
  }
  if (endpoint === PROXIED) {
    cloudwatch.maxBodyBytes = 256 * 1024;
    cloudwatch.failNext('denied', 1, 'PutLogEvents');
    cloudwatch.failNext('cut-body', 2, 'PutLogEvents');
  }
  return { cloudwatch, bugsnag };
}

function allSinksEnv(cloudwatch: LocalCloudWatchLogs, bugsnag: LocalBugsnag, group: string): Record<string, string> {
  return {
    ...cloudWatchEnv(cloudwatch, group),
    ...bugsnagEnv(bugsnag),
    LOG_LEVEL_CONSOLE: 'info',
    CLOUDWATCH_SCOPE: 'all',
    LOG_EXIT_TIMEOUT_MS: '10000',
  };
}

/** Every line there; copies beyond one are exactly `extraCopies`. */
function assertEveryLine(seqs: unknown[], where: string, extraCopies = 0): void {
  const numbers = seqs.filter((seq): seq is number => typeof seq === 'number' && seq >= 0);
  const unique = new Set(numbers);
  assert.equal(unique.size, LINES, `${where}: ${unique.size} of ${LINES} lines`);
  assert.equal(numbers.length - LINES, extraCopies, `${where}: ${numbers.length - LINES} duplicates, ${extraCopies} reported`);
}

/** The counts of the line printed at exit for requests sent again after a lost answer (0 without it). */
function reportedDuplicates(stderr: string): { cloudwatch: number; bugsnag: number } {
  const line = /^logferry: possible duplicates: (.*)$/m.exec(stderr)?.[1] ?? '';
  const count = (sink: string) => Number(new RegExp(`${sink} may hold (\\d+)`).exec(line)?.[1] ?? 0);
  return { cloudwatch: count('cloudwatch'), bugsnag: count('bugsnag') };
}

describe('reliability matrix: exit path × endpoint, all sinks', { concurrency: 4 }, () => {
  for (const endpoint of ENDPOINTS) {
    for (const [mode, expected] of PATHS) {
      it(`${mode} × ${endpoint}`, async () => {
        const { cloudwatch, bugsnag } = await servers(endpoint);
        try {
          const group = `/logferry/matrix-${process.pid}-${++cell}`;
          const run = await runFixture('exit-path', {
            env: allSinksEnv(cloudwatch, bugsnag, group),
            args: [mode, String(LINES)],
            onStderr: { marker: 'fixture-ready', act: (child) => child.kill(mode as NodeJS.Signals) },
            timeoutMs: 60_000,
          });
          if (expected.signal) assert.equal(run.signal, expected.signal, run.stderr);
          else assert.equal(run.code, expected.code, run.stderr);
          assert.doesNotMatch(run.stderr, /not delivered|exit wait ran out/);

          const duplicates = reportedDuplicates(run.stderr);
          // Bugsnag's window opens at its first event, which is always lost; whether CloudWatch's first
          // batch goes out inside its 2 s depends on the child's start-up and its stream creation.
          if (endpoint === 'answers lost for the first 2 s') assert.ok(duplicates.cloudwatch + duplicates.bugsnag > 0, run.stderr);
          // The two cut answers came for stored batches, each sent again.
          if (endpoint === PROXIED) assert.ok(duplicates.cloudwatch > 0, run.stderr);
          const stdout = jsonLines(run.stdout);
          assertEveryLine(
            stdout.map((line) => line.seq),
            'stdout',
          );
          const shipped = cloudwatch.messages(group);
          assertEveryLine(
            shipped.map((message) => message.seq),
            'CloudWatch',
            duplicates.cloudwatch,
          );
          const transactional = new Set(shipped.filter((message) => message.channel === 'transactional').map((message) => message.seq));
          assert.equal(transactional.size, LINES / 2);
          assert.deepEqual(cloudwatch.limitViolations, []);

          const classes = bugsnag.events.map((event) => event.exceptions[0]?.errorClass).sort();
          const crashed = mode === 'uncaught' || mode === 'rejection';
          const expectedClasses = crashed ? ['RangeError', mode === 'uncaught' ? 'TypeError' : 'Error'].sort() : ['RangeError'];
          assert.deepEqual([...new Set(classes)], expectedClasses);
          assert.equal(classes.length - expectedClasses.length, duplicates.bugsnag, `Bugsnag: ${classes.join(', ')}`);
          if (crashed) assert.ok(bugsnag.events.some((event) => event.unhandled));
          assert.deepEqual(bugsnag.problems, []);
        } finally {
          await cloudwatch.stop();
          await bugsnag.stop();
        }
      });
    }
  }
});

/** SECRET1 … SECRETn are planted by test/fixtures/bugsnag-app.ts (scenario `secrets`). */
const SECRETS = 47;

describe('hostile input and secrets through every sink', { concurrency: true }, () => {
  let cloudwatch: LocalCloudWatchLogs;
  let bugsnag: LocalBugsnag;
  before(async () => {
    cloudwatch = await new LocalCloudWatchLogs().start();
    bugsnag = await new LocalBugsnag().start();
  });
  after(async () => {
    await cloudwatch.stop();
    await bugsnag.stop();
  });

  it('every hostile line arrives, readable, on stdout, in CloudWatch and in Bugsnag; nothing crashes', async () => {
    const group = `/logferry/hostile-${process.pid}`;
    const run = await runFixture('hostile', { env: { ...allSinksEnv(cloudwatch, bugsnag, group), LOG_LEVEL_BUGSNAG: 'info' } });
    assert.equal(run.code, 0, run.stderr);
    const received = {
      stdout: jsonLines(run.stdout),
      CloudWatch: cloudwatch.messages(group),
      Bugsnag: bugsnag.events.map((event) => event.metaData?.log ?? {}),
    };
    for (const [sink, lines] of Object.entries(received)) {
      for (const [name] of hostileCorpus()) {
        const line = lines.find((candidate) => candidate.case === name);
        assert.ok(line, `${sink} lacks ${name}`);
        assert.ok(READABLE[name]?.(line.value), `${sink}: ${name} arrived as ${JSON.stringify(line.value)?.slice(0, 300)}`);
      }
      const topLevel = lines.find((line) => line.case === '__proto__ at top level');
      assert.ok(
        topLevel && READABLE['__proto__ field']?.(topLevel),
        `${sink}: a top-level __proto__ field arrived as ${JSON.stringify(topLevel)}`,
      );
      for (const [name, shown] of [
        ['thrown string as err', 'just a string'],
        ['thrown object as err', 'E42'],
      ]) {
        const line = lines.find((candidate) => candidate.case === name);
        assert.match(JSON.stringify(line?.err), new RegExp(shown as string), `${sink}: ${name} arrived as ${JSON.stringify(line)}`);
      }
      const errorLines = lines.filter((line) => line.case === undefined);
      assert.ok(errorLines.length >= 2, `${sink}: the error-as-first-argument and string-as-error lines`);
    }
    const classes = bugsnag.events.map((event) => event.exceptions[0]?.errorClass);
    assert.ok(classes.includes('Error') && classes.includes('LogError (hostile)'), classes.join(', '));
    // Whole arguments that are hostile: the call logs, and the message is kept.
    const messages = {
      stdout: received.stdout.map((line) => line.msg),
      CloudWatch: received.CloudWatch.map((line) => line.msg),
      Bugsnag: bugsnag.events.map((event) => event.exceptions[0]?.message),
    };
    for (const [sink, seen] of Object.entries(messages)) {
      for (const message of [
        'hostile proxy as the first argument',
        'hostile proxy as context fields',
        'hostile proxy as bindings',
        'Symbol(alone)',
        'Symbol(first) hostile symbol then format',
      ]) {
        assert.ok(seen.includes(message), `${sink} lacks "${message}": ${JSON.stringify(seen).slice(0, 500)}`);
      }
    }
    assert.equal(JSON.parse(run.stdout.split('\n')[1] ?? '{}').case, 'bigint');
    assert.match(run.stdout, /"big":"?12345678901234567890/, 'the BigInt keeps every digit in the JSON text');
    assert.deepEqual(bugsnag.problems, []);
  });

  for (const name of HEAVY_CASES) {
    it(`${name}: logged alone with stdout a pipe, the process exits 0 within its bound and every sink gets valid JSON`, async () => {
      const group = `/logferry/hostile-${name.replace(/\W/g, '-')}-${process.pid}`;
      const receiver = await new LocalBugsnag().start();
      try {
        // The bound: a run that hangs or blocks is killed and fails here, instead of stalling the suite.
        const run = await runFixture('hostile', {
          env: { ...allSinksEnv(cloudwatch, receiver, group), LOG_LEVEL_BUGSNAG: 'info' },
          args: [name],
          timeoutMs: 60_000,
        });
        assert.equal(run.signal, null, `killed at the bound: ${run.stderr}`);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /delivered=true/);
        const received = {
          stdout: jsonLines(run.stdout),
          CloudWatch: cloudwatch.messages(group),
          Bugsnag: receiver.events.map((event) => event.metaData?.log ?? {}),
        };
        for (const [sink, lines] of Object.entries(received)) {
          const line = lines.find((candidate) => candidate.case === name);
          assert.ok(line, `${sink} lacks ${name}`);
          assert.ok(READABLE[name]?.(line.value), `${sink}: ${name} arrived as ${JSON.stringify(line.value)?.slice(0, 300)}`);
        }
        for (const text of run.stdout.split('\n')) assert.ok(Buffer.byteLength(text) < 1024 * 1024, 'a stdout line over the cap');
        assert.deepEqual(receiver.problems, []);
      } finally {
        await receiver.stop();
      }
    });
  }

  it('secrets in nested requests and error metadata reach no sink', async () => {
    const group = `/logferry/secrets-${process.pid}`;
    const receiver = await new LocalBugsnag().start();
    try {
      const run = await runFixture('bugsnag-app', {
        env: { ...allSinksEnv(cloudwatch, receiver, group), LOG_LEVEL_CONSOLE: 'info' },
        args: ['secrets', 'every-path'],
      });
      assert.equal(run.code, 0, run.stderr);
      const everywhere = [
        run.stdout,
        cloudwatch
          .events(group)
          .map((event) => event.message)
          .join('\n'),
        receiver.payloads.map((p) => p.raw).join('\n'),
      ];
      assert.ok(everywhere.every((text) => text.length > 0));
      // The lines that carried them arrived, censored where they hold a secret and readable elsewhere.
      for (const text of everywhere.slice(0, 2))
        assert.match(text, /"accessKeyId":"\[Redacted\]".*"region":"eu-west-1"|"region":"eu-west-1".*"accessKeyId":"\[Redacted\]"/);
      for (const text of everywhere)
        assert.match(text, /"rawHeaders":\["Host","api.example","Authorization","\[Redacted\]","Cookie","\[Redacted\]"\]/);
      for (const [sink, text] of ['stdout', 'CloudWatch', 'Bugsnag'].map((name, i) => [name, everywhere[i] ?? ''] as const)) {
        for (let i = 1; i <= SECRETS; i++) assert.ok(!text.includes(`SECRET${i}`), `SECRET${i} reached ${sink}`);
      }
      // Every line that carried one arrived (censored) in every sink, readable around it.
      for (const message of [
        'bindings of createLogger',
        'bindings of a child',
        'a child with formatters of its own',
        'a child with serializers of its own',
        'the same object twice',
        'an axios-style error',
        'in a context',
        'failed',
        'a cause with a secret',
        'a raw header block and pairs',
        'a child with a msgPrefix',
        'a format argument',
        'fragments and @',
        'relative userinfo and new names',
        'a getter read twice',
        'a nested getter read twice',
        'session parameters',
        'invisible and full-width key names',
      ]) {
        for (const [sink, text] of [
          ['stdout', everywhere[0]],
          ['CloudWatch', everywhere[1]],
          ['Bugsnag', everywhere[2]],
        ] as const) {
          assert.ok(text?.includes(message), `${sink} lacks the line "${message}"`);
        }
      }
      assert.match(everywhere[0] ?? '', /"refresh_token=\[Redacted\]|refresh_token=\[Redacted\]/);
      assert.match(everywhere[0] ?? '', /"region":"eu-west-1"/);
    } finally {
      await receiver.stop();
    }
  });
});
