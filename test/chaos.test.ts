import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeChaos, runChaos } from './support/chaos-run.js';

// The short chaos run (the long one is `npm run chaos -- --seconds N`): ~2,000 audit lines/s in
// mixed sizes behind a fault proxy (resets before and after forwarding, 5xx, throttling, hangs,
// cut bodies, outages), the service killed at random by SIGKILL, SIGTERM, process.exit, a throw or
// OOM and restarted on the same spool dir; seeded, so a failure replays with its seed.

/** The most events one PutLogEvents request holds (CloudWatch's limit). */
const MAX_BATCH_LINES = 10_000;

describe('chaos: random faults, random kills, one spool dir', () => {
  it('with the spool on, every line whose log call returned arrives, and every copy an attempt may have stored is counted once', async (t) => {
    const result = await runChaos({ seconds: 45, seed: 27, log: (line) => t.diagnostic(line) });
    const said = describeChaos(result);
    t.diagnostic(said);
    assert.ok(result.cycles.length >= 5, `only ${result.cycles.length} cycles`);
    assert.ok(result.returned > 10_000, `only ${result.returned} lines returned`);
    assert.match(result.drainStderr, /flush=\{"delivered":true/, result.drainStderr);
    assert.equal(result.missing, 0, said);
    // Every extra copy came from a request whose answer no process got (or recorded, when killed right after it).
    assert.equal(result.extraCopies, result.unansweredStored + result.answeredExtra, said);
    // counted = extra copies + lines of unanswered requests the endpoint never stored + attempts
    // a kill or the deadline cut before they reached it: nothing unanswered goes uncounted, and
    // nothing is counted twice (an adopter that recounted a batch would push this far past a batch).
    assert.ok(result.countedNeverSent >= 0, said);
    assert.ok(result.countedNeverSent <= result.cycles.length * MAX_BATCH_LINES, said);
  });

  it('without the spool, what an orderly ending loses is exactly what it says it lost', async (t) => {
    const result = await runChaos({ seconds: 30, seed: 2712, spool: false, log: (line) => t.diagnostic(line) });
    const said = describeChaos(result);
    t.diagnostic(said);
    const orderly = result.cycles.filter((cycle) => cycle.ending === 'SIGTERM' || cycle.ending === 'exit' || cycle.ending === 'throw');
    assert.ok(orderly.length >= 2, `only ${orderly.length} orderly endings\n${said}`);
    for (const cycle of orderly) {
      // Said lost at the deadline: pending and dropped lines. Some of them may still have been
      // stored by a request the deadline cut off unanswered; the rest is missing.
      assert.equal(cycle.missing + cycle.unconfirmed, cycle.saidLost, `${JSON.stringify(cycle)}\n${said}`);
    }
  });
});
