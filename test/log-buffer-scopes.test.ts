import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLines, runFixture } from './support/run-fixture.js';

// Buffering scopes other than requests (withLambdaLogging, withLogBuffer), sampling, and what is
// retained after 100,000 scopes, each in a child process of its own (test/fixtures/buffer-scopes.ts).

type Line = Record<string, unknown>;
const ENV = { NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_BUFFER_LEVEL: 'debug' };

function resultOf(stderr: string): Record<string, unknown> {
  const json = /result=(.*)/.exec(stderr)?.[1];
  assert.ok(json, `no result on stderr: ${stderr}`);
  return JSON.parse(json) as Record<string, unknown>;
}

const messages = (lines: Line[], filter: (line: Line) => boolean) => lines.filter(filter).map((line) => line.msg);

describe('log buffering outside requests', () => {
  it('withLambdaLogging: a thrown invocation writes its own held lines before its failure line; a returning one writes none', async () => {
    const run = await runFixture('buffer-scopes', { args: ['lambda'], env: ENV });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    for (let n = 0; n < 8; n++) {
      const own = lines.filter((line) => line.requestId === `req-${n}`);
      if (n % 2 === 0) {
        assert.deepEqual(own, [], `invocation ${n} succeeded and wrote lines`);
        continue;
      }
      // Powertools (packages/logger/tests/unit/logBuffer.test.ts): "flushes the buffer when an uncaught error is thrown".
      assert.deepEqual(
        own.map((line) => line.msg),
        [`debug one ${n}`, `debug two ${n}`, `Lambda handler failed: invocation ${n} failed`],
      );
      assert.ok(own.slice(0, 2).every((line) => line.buffered === true && line.functionName === 'fn' && line.level === 20));
      assert.equal(own[2]?.buffered, undefined);
    }
  });

  it('withLogBuffer: writes on a rejection, a thrown error or an error line, in order, with the context; discards on success; caps by bytes', async () => {
    const run = await runFixture('buffer-scopes', { args: ['app-scopes'], env: { ...ENV, LOG_BUFFER_MAX_BYTES: '1024' } });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    const job = (name: string) => (line: Line) => line.job === name;
    assert.deepEqual(messages(lines, job('ok')), []);
    assert.deepEqual(messages(lines, job('rejects')), ['held rejects']);
    assert.deepEqual(messages(lines, job('throws')), ['held throws', 'held inner joins']);
    assert.deepEqual(lines.find(job('throws'))?.order, { status: 'new' });
    // Powertools' "it flushes the buffer when an error in logged": written before the error line, with the
    // fields of the contexts they were logged in; the line after it is held anew, and discarded.
    const errorLine = lines.filter(job('error-line'));
    assert.deepEqual(
      errorLine.map((line) => [line.msg, line.buffered, line.tenant, line.nested]),
      [
        ['held before error', true, 't1', undefined],
        ['held nested', true, 't1', true],
        ['the error line', undefined, 't1', undefined],
      ],
    );
    // Powertools' "outputs a warning when buffered logs have been evicted": here the oldest went, and the
    // first written line says how many (bufferDropped); the error line comes last.
    const capped = lines.filter(job('cap'));
    const held = capped.filter((line) => line.buffered === true);
    const dropped = held[0]?.bufferDropped as number;
    assert.ok(dropped > 0 && held.length > 0, JSON.stringify(capped.map((line) => line.msg)));
    assert.equal(dropped + held.length, 20);
    assert.deepEqual(
      held.map((line) => line.i),
      Array.from({ length: held.length }, (_, k) => dropped + k),
    );
    assert.ok(held.reduce((bytes, line) => bytes + JSON.stringify(line).length, 0) <= 1024 + 40 * held.length);
    assert.equal(capped.at(-1)?.msg, 'cap error');
    // Powertools' "does not output buffered logs when trace id is not set": outside a scope, nothing is held.
    assert.deepEqual(messages(lines, job('outside')), []);
    const stats = resultOf(run.stderr).stdout as Record<string, number>;
    // held: ok 1, rejects 1, error-line 3, throws 2, cap 20; written: 1 + 2 + 2 + (20 - dropped); discarded: ok, after-error, dropped.
    assert.equal(stats.bufferHeld, 27);
    assert.equal(stats.bufferWritten, 5 + 20 - dropped);
    assert.equal(stats.bufferDiscarded, 2 + dropped);
  });

  it('LOG_SAMPLE_RATE: the sampled invocations log at debug from their start, each line with sampled: true', async () => {
    const run = await runFixture('buffer-scopes', {
      args: ['sampling'],
      env: { NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_SAMPLE_RATE: '0.5' },
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    for (let n = 0; n < 6; n++) {
      const own = lines.filter((line) => line.requestId === `req-${n}`);
      if (n % 2 === 0) {
        assert.deepEqual(
          own.map((line) => [line.msg, line.sampled, line.buffered]),
          [
            [`debug ${n}`, true, undefined],
            [`info ${n}`, true, undefined],
          ],
        );
      } else
        assert.deepEqual(
          own.map((line) => [line.msg, line.sampled]),
          [[`info ${n}`, undefined]],
        );
    }
  });

  it('100,000 scopes that each hold lines leave the heap where it was after warm-up', async () => {
    const run = await runFixture('buffer-scopes', { args: ['heap'], env: ENV, nodeArgs: ['--expose-gc'], timeoutMs: 120_000 });
    assert.equal(run.code, 0, run.stderr);
    const { warm, end, stats } = resultOf(run.stderr) as { warm: number; end: number; stats: Record<string, Record<string, number>> };
    // Every scope held two lines, so 200,000 were held; a leak of one held line per scope alone would be tens of MB.
    assert.equal(stats.stdout?.bufferHeld, 200_000);
    assert.equal(stats.stdout?.bufferWritten, 2_000);
    assert.ok(end - warm < 8 * 1024 * 1024, `heap grew from ${warm} to ${end} bytes`);
  });
});
