// What preparing one full PutLogEvents request costs the worker, part by part: the SDK's own
// JSON serializer for the events, JSON.stringify for the same body (what logferry uses), and
// SigV4 signing of the body. Nothing is sent: the request is stopped after signing.
// Run: `npm run build && node dist/bench/put-body-probe.js` (figures in docs/benchmarks.md).
import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { summarize } from './stats.js';

const ROUNDS = 25;
const BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;

/** A full batch of transactional lines like the bench's (five fields and a sequence number). */
function fullBatch(): Array<{ timestamp: number; message: string }> {
  const events: Array<{ timestamp: number; message: string }> = [];
  let bytes = 0;
  for (let seq = 0; events.length < 10_000; seq++) {
    const message = JSON.stringify({
      level: 30,
      time: Date.now(),
      channel: 'transactional',
      organizationId: `org-${seq}`,
      userEmail: `user${seq}@example.com`,
      action: 'Organization was successfully added',
      plan: 'enterprise',
      seats: 25,
      seq,
      msg: 'Organization was successfully added',
    });
    const size = Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES;
    if (bytes + size > BATCH_BYTES) break;
    bytes += size;
    events.push({ timestamp: Date.now(), message });
  }
  return events;
}

type Parts = { serializeMs: number; signMs: number };

async function prepareOnce(client: CloudWatchLogsClient, events: Array<{ timestamp: number; message: string }>): Promise<Parts> {
  const marks: Record<string, number> = {};
  const command = new PutLogEventsCommand({ logGroupName: '/probe', logStreamName: 'probe', logEvents: events });
  const mark = (name: string) => (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    marks[name] = performance.now();
    return next(args);
  };
  command.middlewareStack.add(mark('beforeSerialize') as never, { step: 'serialize', priority: 'high', name: 'probeBeforeSerialize' });
  command.middlewareStack.add(mark('afterSerialize') as never, { step: 'build', priority: 'high', name: 'probeAfterSerialize' });
  command.middlewareStack.add(
    (() => async () => {
      marks.afterSign = performance.now();
      throw new Error('probe: stop before sending');
    }) as never,
    { step: 'finalizeRequest', priority: 'low', name: 'probeStop' },
  );
  await client.send(command).catch(() => undefined);
  return {
    serializeMs: (marks.afterSerialize ?? Number.NaN) - (marks.beforeSerialize ?? Number.NaN),
    signMs: (marks.afterSign ?? Number.NaN) - (marks.afterSerialize ?? Number.NaN),
  };
}

async function main(): Promise<void> {
  const client = new CloudWatchLogsClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'probe-key-id', secretAccessKey: 'probe-secret' },
    maxAttempts: 1,
  });
  const events = fullBatch();
  const body = JSON.stringify({ logGroupName: '/probe', logStreamName: 'probe', logEvents: events });
  const sdk: number[] = [];
  const sign: number[] = [];
  const stringify: number[] = [];
  for (let round = 0; round < ROUNDS + 3; round++) {
    const parts = await prepareOnce(client, events);
    const startedAt = performance.now();
    JSON.stringify({ logGroupName: '/probe', logStreamName: 'probe', logEvents: events });
    const stringifyMs = performance.now() - startedAt;
    if (round < 3) continue; // warm-up
    sdk.push(parts.serializeMs);
    sign.push(parts.signMs);
    stringify.push(stringifyMs);
  }
  client.destroy();
  const show = (label: string, values: number[]) => {
    const s = summarize(values);
    process.stdout.write(`${label}: ${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)}, ${s.runs} rounds)\n`);
  };
  process.stdout.write(`${process.version}; one batch: ${events.length} events, ${Buffer.byteLength(body)} body bytes\n`);
  show("SDK's serializer (serialize step)", sdk);
  show('JSON.stringify of the same body', stringify);
  show('the rest of build, then SigV4 signing (build to finalizeRequest)', sign);
}

void main();
