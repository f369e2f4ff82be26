import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { cloudWatchEnv, printedFlush } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { runFixture } from './support/run-fixture.js';

// The real SDK in a real worker thread against a local CloudWatch Logs server, over HTTP.
let server: LocalCloudWatchLogs;
let groupCounter = 0;
const nextGroup = () => `/logferry/test-${process.pid}-${++groupCounter}`;

function seqs(messages: Array<Record<string, unknown>>): number[] {
  return messages.map((message) => message.seq).filter((seq): seq is number => typeof seq === 'number');
}

function assertInOrder(messages: Array<Record<string, unknown>>, count: number): void {
  const seen = seqs(messages);
  assert.equal(seen.length, count, `expected ${count} events, got ${seen.length}`);
  for (let i = 0; i < count; i++) if (seen[i] !== i) assert.fail(`event ${i} is seq ${seen[i]}: out of order or missing`);
}

describe('CloudWatch Logs sink against a local server', () => {
  before(async () => {
    server = await new LocalCloudWatchLogs().start();
  });
  after(() => server.stop());

  it('100,000 transactional lines at full speed all arrive, in order, none split or merged, no request refused', async () => {
    const group = nextGroup();
    const run = await runFixture('cloudwatch-load', { env: cloudWatchEnv(server, group, { LINES: '100000' }) });
    assert.equal(run.code, 0, run.stderr);
    const flush = printedFlush(run.stderr);
    assert.equal(flush.delivered, true);
    const messages = server.messages(group);
    assertInOrder(messages, 100_000);
    assert.ok(messages.every((message) => message.channel === 'transactional' && message.msg === 'Organization was successfully added'));
    assert.ok(!messages.some((message) => message.msg === 'not transactional'), 'scope=transactional ships only the channel');
    assert.deepEqual(server.limitViolations, []);
    assert.equal(flush.sinks.cloudwatch?.delivered, 100_000);

    // Read back with the real SDK too, as a user would.
    const client = new CloudWatchLogsClient({
      region: 'eu-west-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const page = await client.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: 'test-stream', startFromHead: true, limit: 5 }),
    );
    assert.equal(JSON.parse(page.events?.[0]?.message ?? '{}').seq, 0);
    client.destroy();
  });

  it('oversized lines arrive cut at a UTF-8 boundary with a marker, still JSON, msg and small fields intact', async () => {
    const group = nextGroup();
    const run = await runFixture('cloudwatch-load', { env: cloudWatchEnv(server, group, { LINES: '0', SPECIAL: 'oversized' }) });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(server.limitViolations, []);
    const events = server.events(group);
    assert.equal(events.length, 3);
    for (const event of events) {
      assert.ok(Buffer.byteLength(event.message) + 26 <= 1_048_576);
      assert.ok(!event.message.includes('\ufffd'), 'a character was split');
    }
    const [big, multiByte, mixed] = events.map((event) => JSON.parse(event.message));
    assert.equal(big.msg, 'two MiB field');
    assert.equal(big.organizationId, 'org-big');
    assert.match(big.blob, /…\[truncated by logferry: 2097152 bytes\]$/);
    assert.ok(big.logferryTruncated.originalBytes > 2 * 1024 * 1024);
    assert.equal(multiByte.msg, 'multi-byte field');
    assert.equal(multiByte.channel, 'transactional');
    assert.match(multiByte.text, /^(日本語テキスト)+[^…]*…\[truncated by logferry: \d+ bytes\]$/);
    assert.equal(mixed.organizationId, 'org-mixed');
    assert.equal(mixed.logferryTruncated, undefined, 'a 297 KB line fits in 1 MiB and is sent whole');
    assert.equal(printedFlush(run.stderr).sinks.cloudwatch?.truncated, 2);
  });

  it('with maxEventBytes at 256 KiB, a 300 KiB multi-byte line fits an endpoint that enforces 256 KB', async () => {
    const strict = await new LocalCloudWatchLogs({ maxEventSize: 262_144 }).start();
    try {
      const group = nextGroup();
      const options = { cloudwatch: { logGroupName: group, logStreamName: 'test-stream', maxEventBytes: 262_144 - 26 } };
      const run = await runFixture('cloudwatch-load', {
        env: cloudWatchEnv(strict, group, { LINES: '0', SPECIAL: 'oversized', LOGFERRY_TEST_OPTIONS: JSON.stringify(options) }),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(strict.limitViolations, []);
      const events = strict.events(group);
      assert.equal(events.length, 3);
      for (const event of events) {
        assert.ok(Buffer.byteLength(event.message) + 26 <= 262_144);
        assert.ok(!event.message.includes('\ufffd'), 'a character was split');
        const parsed = JSON.parse(event.message);
        assert.equal(typeof parsed.msg, 'string');
        assert.ok(parsed.logferryTruncated.originalBytes > 262_144);
      }
      assert.equal(JSON.parse(events[2]?.message ?? '{}').msg, 'mixed widths');
    } finally {
      await strict.stop();
    }
  });

  it('50,000 lines with a 200 ms round trip all arrive in full batches (the next filling while one is in flight)', async () => {
    const group = nextGroup();
    server.delayMs = 200;
    try {
      const run = await runFixture('cloudwatch-load', { env: cloudWatchEnv(server, group, { LINES: '50000' }) });
      assert.equal(run.code, 0, run.stderr);
      assertInOrder(server.messages(group), 50_000);
      const batches = server.acceptedPuts(group);
      const sizes = batches.map((put) => put.events);
      const allButLast = batches.slice(0, -1);
      // Full: 10,000 events, or as many as fit in 1 MiB (within one line of the limit).
      for (const put of allButLast)
        assert.ok(put.events === 10_000 || put.bytes > 1_048_576 - 400, `a partial batch went out: ${JSON.stringify(sizes)}`);
    } finally {
      server.delayMs = 0;
    }
  });
});
