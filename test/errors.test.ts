import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';
import * as errors from '../src/errors.js';
import { flushLogs } from '../src/index.js';

// Every error logferry throws comes from src/errors.ts and carries a stable `code`, so an app
// can branch on the code (as on fastify's FST_ERR_*) rather than on a message that may change.

describe('errors carry stable codes', () => {
  it('every error class in src/errors.ts has a code of its own', () => {
    const made: Record<string, Error & { code?: unknown }> = {
      LogferryConfigError: new errors.LogferryConfigError('LOG_LEVEL', 'verbose', 'use info'),
      LogferryArgumentError: new errors.LogferryArgumentError('bad'),
      LogferryBundleError: new errors.LogferryBundleError('none'),
      NonErrorThrown: new errors.NonErrorThrown('x', 'uncaughtException', '"x"'),
      AttemptTimeoutError: new errors.AttemptTimeoutError(10, 'requestTimeoutMs'),
      AttemptCutOffError: new errors.AttemptCutOffError(),
    };
    const classes = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([name]) => name);
    assert.deepEqual(classes.sort(), Object.keys(made).sort(), 'a new error class needs a case here');
    const codes = Object.values(made).map((error) => error.code);
    assert.ok(
      codes.every((code) => typeof code === 'string' && /^(LOGFERRY_[A-Z_]+|ETIMEDOUT)$/.test(code)),
      codes.join(),
    );
    assert.equal(new Set(codes).size, codes.length, 'codes are distinct');
  });

  it('bad configuration fails with LOGFERRY_CONFIG, naming the variable', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'verbose' }),
      (error: errors.LogferryConfigError) => error.code === 'LOGFERRY_CONFIG' && error.variable === 'LOG_LEVEL',
    );
  });

  it('a timeout that is not a number is a TypeError with code LOGFERRY_ARGUMENT', async () => {
    await assert.rejects(
      flushLogs(Number.NaN),
      (error: Error & { code?: string }) => error instanceof TypeError && error.code === 'LOGFERRY_ARGUMENT',
    );
  });

  it("a message that is not about a value is the error's whole message, never rewritten after it is built", () => {
    const error = new errors.LogferryConfigError('configureLogging', { level: 'info' }, 'logferry: too late', 'message');
    assert.equal(error.message, 'logferry: too late');
    assert.equal(error.code, 'LOGFERRY_CONFIG');
  });
});
