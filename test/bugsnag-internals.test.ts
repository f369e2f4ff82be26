import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Bugsnag from '@bugsnag/js';
import { createAttemptAgent } from '../transports/bugsnag/attempt-agent.js';
import { missingInternals } from '../transports/bugsnag/notifier.js';

// The Bugsnag sink relies on parts of @bugsnag/js that are not its public API, and on the hook
// Node's http client calls on an agent. An upgrade that removes one must fail here, by name,
// rather than in production.
const projectRoot = join(__dirname, '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

describe('what the Bugsnag sink relies on', () => {
  it('@bugsnag/js and @bugsnag/node are pinned to exact versions, and those are the ones installed', () => {
    const dependencies = readJson(join(projectRoot, 'package.json')).dependencies as Record<string, string>;
    for (const name of ['@bugsnag/js', '@bugsnag/node']) {
      const pinned = dependencies[name];
      assert.match(
        String(pinned),
        /^\d+\.\d+\.\d+$/,
        `${name} must be pinned to an exact version (it is ${pinned}): the sink uses its internals`,
      );
      const installed = readJson(join(projectRoot, 'node_modules', ...name.split('/'), 'package.json')).version;
      assert.equal(installed, pinned, `${name} ${installed} is installed but ${pinned} is pinned: run npm ci`);
    }
  });

  it('the installed @bugsnag/js still has client._notify, client._delivery.sendEvent and sendSession, Event.create and Breadcrumb', () => {
    const client = Bugsnag.createClient({
      apiKey: '0123456789abcdef0123456789abcdef',
      autoDetectErrors: false,
      autoTrackSessions: false,
      logger: null,
    });
    const missing = missingInternals(client);
    assert.deepEqual(
      missing,
      [],
      `@bugsnag/js lacks ${missing.join(', ')}: transports/bugsnag/notifier.ts must be changed before this version is used`,
    );
  });

  it('missingInternals names what a client without them lacks', () => {
    assert.deepEqual(missingInternals({}, {}), [
      'client._notify',
      'client._delivery.sendEvent',
      'client._delivery.sendSession',
      'Event.create',
      'Breadcrumb',
    ]);
  });

  it("Node's http client hands each request to the agent's addRequest() while it is built, so an attempt can be aborted", () => {
    const attempts = createAttemptAgent(false, { keepAlive: true, maxSockets: 1 });
    let made: ReturnType<typeof request> | undefined;
    const captured = attempts.capture(() => {
      made = request({ host: '127.0.0.1', port: 9, method: 'POST', agent: attempts.agent });
      made.on('error', () => {});
    });
    assert.ok(made);
    assert.equal(captured, made, 'the request was not seen by addRequest() during the call');
    made.destroy();
    attempts.agent.destroy();
  });
});
