import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';
import { checkOptionsArgument, mergeOptions } from '../src/config/merge-options.js';
import { LogferryConfigError } from '../src/errors.js';
import { configureLogging } from '../src/index.js';
import { parseLevelSpec } from '../src/levels/level-spec.js';
import type { LogferryOptions } from '../src/options.js';
import { buildEvent } from '../transports/bugsnag/event.js';

// Issue 28: the environment and code compose key by key, call after call; and the smaller defects
// found on the way, one test each. This file builds no logger, so configureLogging() runs here.

const KEY = '0123456789abcdef0123456789abcdef';
const PRODUCTION = { NODE_ENV: 'production' };

function refused(run: () => unknown, variable: string, accepted?: RegExp): LogferryConfigError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof LogferryConfigError, `expected a LogferryConfigError naming ${variable}, got ${String(caught)}`);
  assert.equal(caught.variable, variable, caught.message);
  if (accepted) assert.match(caught.message, accepted);
  return caught;
}

describe('a sink object in code merges with the sink variables', () => {
  it('CLOUDWATCH_LOG_GROUP plus any option in code starts (it threw cloudwatch.logGroupName=undefined)', () => {
    for (const cloudwatch of [
      { requestTimeoutMs: 2000 },
      { maxEventBytes: 262_118 },
      { flushIntervalMs: 100 },
      { maxQueueBytes: 4_194_304 },
    ]) {
      const config = loadConfig({ ...PRODUCTION, CLOUDWATCH_LOG_GROUP: '/g' }, { cloudwatch });
      assert.equal(config.cloudwatch?.logGroupName, '/g');
    }
  });

  it('BUGSNAG_API_KEY plus any option in code starts (it threw bugsnag.apiKey=undefined)', () => {
    // Typed as the public option: each partial object compiles only because every key is optional.
    const options: LogferryOptions['bugsnag'][] = [
      { rules: [{ errorClass: 'A', ignore: true }] },
      { onErrorModule: '/srv/on-error.mjs' },
      { maxBreadcrumbs: 3 },
      { maxEventsPerMinutePerGroup: 3 },
      { maxQueuedEvents: 3 },
      { requestTimeoutMs: 3000 },
    ];
    for (const bugsnag of options) assert.equal(loadConfig({ ...PRODUCTION, BUGSNAG_API_KEY: KEY }, { bugsnag }).bugsnag?.apiKey, KEY);
  });

  it('bugsnag.apiKey in code keeps the endpoints, release stage, version and level of the environment', () => {
    const env = {
      ...PRODUCTION,
      BUGSNAG_ENDPOINT_NOTIFY: 'https://notify.example',
      BUGSNAG_ENDPOINT_SESSIONS: 'https://sessions.example',
      BUGSNAG_RELEASE_STAGE: 'staging',
      APP_VERSION: '4.5.6',
      LOG_LEVEL_BUGSNAG: 'error',
    };
    const bugsnag = loadConfig(env, { bugsnag: { apiKey: KEY } }).bugsnag;
    assert.deepEqual(bugsnag?.endpoints, { notify: 'https://notify.example', sessions: 'https://sessions.example' });
    assert.equal(bugsnag?.releaseStage, 'staging');
    assert.equal(bugsnag?.appVersion, '4.5.6');
    assert.equal(bugsnag?.level, 'error');
  });

  it('cloudwatch.logGroupName in code keeps the stream, scope, level, createGroup and retention of the environment', () => {
    const env = {
      ...PRODUCTION,
      CLOUDWATCH_LOG_STREAM: 's',
      CLOUDWATCH_SCOPE: 'all',
      LOG_LEVEL_CLOUDWATCH: 'warn',
      CLOUDWATCH_CREATE_GROUP: '0',
      CLOUDWATCH_RETENTION_DAYS: '30',
    };
    const cloudwatch = loadConfig(env, { cloudwatch: { logGroupName: '/g' } }).cloudwatch;
    assert.deepEqual(
      [cloudwatch?.logStreamName, cloudwatch?.scope, cloudwatch?.level, cloudwatch?.createGroup, cloudwatch?.retentionDays],
      ['s', 'all', 'warn', false, 30],
    );
  });

  it('false turns a sink off whatever its variables say; an object in a later call turns it on again, the variables with it', () => {
    const env = { ...PRODUCTION, CLOUDWATCH_LOG_GROUP: '/g', CLOUDWATCH_LOG_STREAM: 's' };
    assert.equal(loadConfig(env, { cloudwatch: false }).cloudwatch, null);
    const again = mergeOptions(mergeOptions({}, { cloudwatch: false }), { cloudwatch: { flushIntervalMs: 200 } });
    assert.deepEqual([loadConfig(env, again).cloudwatch?.logStreamName, loadConfig(env, again).cloudwatch?.flushIntervalMs], ['s', 200]);
    const undefinedLeaves = mergeOptions(mergeOptions({}, { cloudwatch: false }), { cloudwatch: undefined });
    assert.equal(loadConfig(env, undefinedLeaves).cloudwatch, null);
  });

  it('options for a sink without its required key from either source: off, and the start-up line names the variable and the option', () => {
    const config = loadConfig(PRODUCTION, { cloudwatch: { flushIntervalMs: 200 }, bugsnag: { maxBreadcrumbs: 3 } });
    assert.equal(config.cloudwatch, null);
    assert.equal(config.bugsnag, null);
    assert.ok(config.notices.some((line) => line.includes('CLOUDWATCH_LOG_GROUP') && line.includes('cloudwatch.logGroupName')));
    assert.ok(config.notices.some((line) => line.includes('BUGSNAG_API_KEY') && line.includes('bugsnag.apiKey')));
  });

  it('an error names the source the bad value came from: the variable, or the option path', () => {
    refused(
      () => loadConfig({ ...PRODUCTION, CLOUDWATCH_LOG_GROUP: 'a group' }, { cloudwatch: { flushIntervalMs: 200 } }),
      'CLOUDWATCH_LOG_GROUP',
    );
    refused(
      () => loadConfig({ ...PRODUCTION, CLOUDWATCH_LOG_GROUP: '/g' }, { cloudwatch: { logGroupName: 'a group' } }),
      'cloudwatch.logGroupName',
    );
    refused(() => loadConfig({ ...PRODUCTION, BUGSNAG_API_KEY: KEY }, { bugsnag: { maxBreadcrumbs: 101 } }), 'bugsnag.maxBreadcrumbs');
  });
});

describe('configureLogging() calls merge key by key', () => {
  it('{ redact: { keys } } then { redact: { allow } } keeps both', () => {
    const merged = mergeOptions(mergeOptions({}, { redact: { keys: ['ssn'] } }), { redact: { allow: ['token'] } });
    const keys = loadConfig(PRODUCTION, merged).redactKeys;
    assert.ok(keys.includes('ssn'));
    assert.ok(!keys.includes('token'));
  });

  it('neither call is changed, and a later change to the app object changes nothing', () => {
    const cloudwatch = { flushIntervalMs: 100 };
    const keys = ['a'];
    const merged = mergeOptions({}, { cloudwatch, redact: { keys } });
    cloudwatch.flushIntervalMs = 5;
    keys.push('b');
    assert.deepEqual(merged, { cloudwatch: { flushIntervalMs: 100 }, redact: { keys: ['a'] } });
  });

  it('a __proto__ key from JSON stays a key, and is refused as unknown', () => {
    const merged = mergeOptions({}, JSON.parse('{"cloudwatch":{"__proto__":{"polluted":1}}}'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    refused(() => loadConfig(PRODUCTION, merged), 'cloudwatch.__proto__');
  });

  it('configureLogging(null), ([]) and a string are refused; (undefined) changes nothing', () => {
    for (const bad of [null, [], 'info', 5]) {
      refused(() => configureLogging(bad as never), 'configureLogging', /object of options/);
      refused(() => checkOptionsArgument(bad), 'configureLogging');
    }
    assert.deepEqual(checkOptionsArgument(undefined), {});
  });
});

describe('smaller defects', () => {
  it('a lone BUGSNAG_ENDPOINT_NOTIFY is refused, with or without a key, from either source', () => {
    const lone = { ...PRODUCTION, BUGSNAG_ENDPOINT_NOTIFY: 'https://notify.example' };
    refused(() => loadConfig(lone), 'BUGSNAG_ENDPOINT_SESSIONS', /both/);
    refused(() => loadConfig(lone, { bugsnag: { apiKey: KEY } }), 'BUGSNAG_ENDPOINT_SESSIONS', /both/);
    refused(() => loadConfig({ ...lone, BUGSNAG_API_KEY: KEY }), 'BUGSNAG_ENDPOINT_SESSIONS', /bugsnag\.endpoints\.sessions/);
    // The partner may come from the other source.
    const split = loadConfig(lone, { bugsnag: { apiKey: KEY, endpoints: { sessions: 'https://sessions.example' } } });
    assert.deepEqual(split.bugsnag?.endpoints, { notify: 'https://notify.example', sessions: 'https://sessions.example' });
  });

  it('NODE_ENV=test turns off sinks given in code, as the README says; their values are still checked', () => {
    const config = loadConfig(
      { NODE_ENV: 'test' },
      { bugsnag: { apiKey: KEY }, cloudwatch: { logGroupName: '/g' }, spool: { dir: '/tmp/x' } },
    );
    assert.deepEqual([config.bugsnag, config.cloudwatch, config.spool], [null, null, null]);
    refused(() => loadConfig({ NODE_ENV: 'test' }, { cloudwatch: { flushIntervalMs: 0 } }), 'cloudwatch.flushIntervalMs');
    // Another profile ships from tests.
    assert.equal(loadConfig({ NODE_ENV: 'test' }, { profile: 'production', bugsnag: { apiKey: KEY } }).bugsnag?.apiKey, KEY);
  });

  it('BUGSNAG_RELEASE_STAGE or APP_VERSION over 256 characters names the variable', () => {
    const long = 'x'.repeat(257);
    refused(() => loadConfig({ ...PRODUCTION, BUGSNAG_API_KEY: KEY, BUGSNAG_RELEASE_STAGE: long }), 'BUGSNAG_RELEASE_STAGE', /256/);
    refused(() => loadConfig({ ...PRODUCTION, BUGSNAG_API_KEY: KEY, APP_VERSION: long }), 'APP_VERSION', /256/);
    refused(() => loadConfig({ ...PRODUCTION, BUGSNAG_API_KEY: KEY }, { bugsnag: { appVersion: long } }), 'bugsnag.appVersion', /256/);
  });

  it('LOG_LEVEL=info;db=debug is refused: a module name holds no ;', () => {
    refused(() => loadConfig({ ...PRODUCTION, LOG_LEVEL: 'info;db=debug' }), 'LOG_LEVEL', /separate entries with commas/);
    refused(() => loadConfig(PRODUCTION, { level: 'info;db=debug' }), 'level', /separate entries with commas/);
    refused(() => parseLevelSpec('setLogLevel', 'info,my db=debug'), 'setLogLevel');
  });

  it('a module given twice is refused (the first entry used to win without a word)', () => {
    refused(() => parseLevelSpec('setLogLevel', 'info,db=debug,db=trace'), 'setLogLevel', /'db' is given twice/);
    refused(() => loadConfig({ ...PRODUCTION, LOG_LEVEL: 'db=debug,db=debug' }), 'LOG_LEVEL');
    // A parent and its child are two modules.
    assert.equal(parseLevelSpec('LOG_LEVEL', 'db=debug,db/pool=trace').modules.length, 2);
  });

  it("Bugsnag's error class is the error's own name, as @bugsnag/js takes error.name; the constructor stays in the error tab", () => {
    const err = { type: 'DOMException', name: 'AbortError', message: 'aborted', stack: 'AbortError: aborted' };
    const event = buildEvent({ level: 50, msg: 'gave up', err });
    assert.equal(event.errors.type, 'AbortError');
    assert.equal((event.metadata.error as Record<string, unknown>).constructorName, 'DOMException');
    assert.notEqual(event.groupKey, buildEvent({ level: 50, msg: 'gave up', err: { ...err, name: 'TimeoutError' } }).groupKey);
    // Without a name of its own, the class is the type, as before.
    assert.equal(buildEvent({ level: 50, err: { type: 'RangeError', message: 'm' } }).errors.type, 'RangeError');
  });
});
