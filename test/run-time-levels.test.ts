import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLines, runFixture } from './support/run-fixture.js';

// setLogLevel on loggers that already logged, and configureLogging's errors, in child processes
// (the root logger is per process).

const env = { NODE_ENV: 'production', LOG_LEVEL: 'info' };
const messages = async (scenario: string) => {
  const run = await runFixture('run-time-levels', { env, args: [scenario] });
  assert.equal(run.code, 0, run.stderr);
  return { messages: jsonLines(run.stdout).map((line) => line.msg), stderr: run.stderr };
};

describe('setLogLevel at run time', () => {
  it('transactionalLogger follows setLogLevel after it has logged, both quieter and louder', async () => {
    const run = await messages('transactional');
    assert.deepEqual(run.messages, [
      'audit before',
      'audit warn while transactional=warn',
      'audit info after debug',
      'audit debug after debug',
    ]);
  });

  it('pino .child() loggers follow setLogLevel; a child given its own level keeps it', async () => {
    const run = await messages('children');
    assert.deepEqual(run.messages, ['child debug after debug', 'pinned warn after error']);
  });
});

describe('configureLogging errors', () => {
  it('a serializer that is not a function throws LogferryConfigError at configureLogging, and the environment still applies', async () => {
    const run = await messages('bad-serializer');
    assert.match(run.stderr, /^configure=LogferryConfigError: logferry: serializers\.user="string" is not valid: give a function/m);
    assert.match(run.stderr, /^first-logger=ok$/m);
    assert.deepEqual(run.messages, ['logged with the environment only']);
  });

  it('configureLogging after setLogLevel built the root throws a LogferryConfigError that says so', async () => {
    const run = await messages('configure-after-set-level');
    assert.match(
      run.stderr,
      /^configure=LogferryConfigError: logferry: configureLogging\(\) was called after setLogLevel\(\) built the root logger.*call configureLogging\(\) once at start-up, before setLogLevel\(\)/m,
    );
  });
});
