import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLines, runFixture } from './support/run-fixture.js';

describe('pino options passed through, and setLogLevel', () => {
  it('base fields on every line, serializers before redaction, setLogLevel changes existing and later loggers and returns the previous spec', async () => {
    const run = await runFixture('passthrough', { env: { NODE_ENV: 'production', LOG_LEVEL: 'info' } });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    const messages = lines.map((line) => line.msg);
    assert.deepEqual(messages, ['db debug after', 'serialized', 'later warn', 'audit while warn', 'api info restored']);
    for (const line of lines) {
      assert.equal(line.service, 'api');
      assert.equal(line.version, '1.2.3');
      assert.equal(line.pid, undefined, "base replaces pino's pid and hostname, as in pino");
    }
    const serialized = lines.find((line) => line.msg === 'serialized');
    assert.deepEqual(serialized?.user, { id: 'u1', password: '[Redacted]' });
    assert.equal(serialized?.account, '[serializer account threw: serializer bug]');
    assert.match(run.stderr, /previous=info\n/);
    assert.match(run.stderr, /restored-from=warn,db=debug\n/);
    assert.match(run.stderr, /bad-spec=logferry: setLogLevel="verbose" is not valid/);
  });

  it('a bad base or serializer fails at start-up with the option named', async () => {
    const { loadConfig } = await import('../src/config/load-config.js');
    assert.throws(() => loadConfig({ NODE_ENV: 'test' }, { base: 'api' as never }), /base="api" is not valid/);
    assert.throws(
      () => loadConfig({ NODE_ENV: 'test' }, { serializers: { user: 'id' as never } }),
      /serializers\.user="string" is not valid/,
    );
  });
});
