import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeChaos, runChaos } from './support/chaos-run.js';

// The short chaos run (the long one is `npm run chaos -- --seconds N`): ~2,000 audit lines/s in
// mixed sizes behind a fault proxy (resets before and after forwarding, 5xx, throttling, hangs,
// cut bodies, outages), the service killed at random by SIGKILL, SIGTERM, process.exit, a throw or
// OOM and restarted on the same spool dir; seeded, so a failure replays with its seed.

describe('chaos: random faults, random kills, one spool dir', () => {
  it('with the spool on, every line whose log call returned arrives, and no more extra copies are stored than counted', async (t) => {
    const result = await runChaos({ seconds: 45, seed: 27, log: (line) => t.diagnostic(line) });
    t.diagnostic(describeChaos(result));
    assert.ok(result.cycles.length >= 5, `only ${result.cycles.length} cycles`);
    assert.ok(result.returned > 10_000, `only ${result.returned} lines returned`);
    assert.match(result.drainStderr, /flush=\{"delivered":true/, result.drainStderr);
    assert.equal(result.missing, 0, describeChaos(result));
    // possibleDuplicates is an upper bound: every extra copy stored was counted by some process.
    assert.ok(result.extraCopies <= result.counted, describeChaos(result));
  });
});
