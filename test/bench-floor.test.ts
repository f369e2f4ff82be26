import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { floorText } from './fixtures/floor-shipper-app.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// The bench reads logferry's CloudWatch figures against this floor (docs/performance.md), so it
// must really ship: every line, unchanged, through the real SDK to the server that checks the limits.
describe('bench floor shipper', () => {
  let server: LocalCloudWatchLogs;
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it('delivers every line it is written, as written, in batches the service accepts', async () => {
    const group = `/logferry/floor-${process.pid}`;
    const lines = 25_000;
    const run = await runFixture('floor-shipper-app', {
      env: { FLOOR_GROUP: group, FLOOR_ENDPOINT: server.url, FLOOR_LINES: String(lines) },
      timeoutMs: 30_000,
    });
    assert.equal(run.code, 0, run.stderr);
    const stored = server.messages(group);
    assert.equal(stored.length, lines, `${stored.length} of ${lines} lines stored`);
    stored.forEach((line, i) => {
      assert.equal(line.i, i);
      assert.equal(line.text, floorText(i));
    });
    assert.ok(server.acceptedPuts().length > 1, 'the lines went in more than one batch');
    assert.deepEqual(server.limitViolations, []);
    // Each request carries the hash it was signed with (the floor's own for its bodies); the
    // server recomputes it from the body.
    assert.ok(server.payloadHashesChecked >= server.acceptedPuts().length, `${server.payloadHashesChecked} hashes checked`);
    assert.equal(server.payloadHashMismatches, 0);
  });
});
