// The bench's floor for shipping to CloudWatch: a pino transport that does only what no logger
// shipping pino's lines through the AWS SDK can skip. It cuts each chunk thread-stream hands it
// into lines, escapes every line into a PutLogEvents body as it goes, and sends each body with the
// real SDK client (the body set as bytes, as logferry's client does, so the SDK's own serializer
// is not in the figure). It skips what a real logger needs: each line's own time (one clock read a
// chunk), a cap on what it holds, retries, ordering across failures, counters, other sinks. Its CPU
// per line is therefore under any real shipper's: docs/performance.md reads the targets against it.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '../src/wire/cloudwatch-limits.js';
import { replaceBody } from '../transports/cloudwatch/client.js';
import { EVENT_FRAME_BYTES, putLogEventsHead, WORST_BYTES_PER_MESSAGE_BYTE, writeEventJson } from '../transports/cloudwatch/put-body.js';

/** Where to ship; the same local server and group as the other contenders. */
export interface FloorShipperOptions {
  logGroupName: string;
  logStreamName: string;
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

const NEWLINE = 0x0a;
/** Longer than the bench's gaps between an app's bursts of lines, so batches go full, as logferry's do. */
const QUIET_MS = 20;
/** The header SigV4 takes the payload's hash from, when the request carries it. */
const SHA256_HEADER = 'x-amz-content-sha256';

/** A finished body: its bytes, the Buffer they are in (reused once sent), and their SHA-256. */
interface Body {
  bytes: Buffer;
  buffer: Buffer;
  sha256: string;
}

/**
 * One PutLogEvents body being written: `{"logGroupName":…,"logEvents":[` then the events. Its
 * SHA-256 (SigV4's payload hash) is taken a chunk at a time while the bytes are still in the CPU's
 * caches, and handed to the signer, which then does not read the body again.
 */
class BodyWriter {
  #body: Buffer;
  #at: number;
  #hashedTo = 0;
  readonly #hash = createHash('sha256');
  events = 0;
  /** The batch's size as the service counts it: message bytes plus 26 an event. */
  counted = 0;
  /** The newest timestamp written: events in a batch must not go back in time. */
  newest = 0;

  constructor(head: Buffer, buffer: Buffer | undefined) {
    this.#body = buffer ?? Buffer.allocUnsafe(head.length + Math.ceil(MAX_BATCH_BYTES * 1.5));
    this.#at = head.copy(this.#body, 0);
  }

  fits(lineBytes: number): boolean {
    return this.events < MAX_BATCH_EVENTS && this.counted + lineBytes + EVENT_OVERHEAD_BYTES <= MAX_BATCH_BYTES;
  }

  /** Appends `{"timestamp":t,"message":"…"}` for `source[start, end)`, escaped as JSON by logferry's own writer. */
  add(timestamp: number, source: Buffer, start: number, end: number): void {
    const worst = EVENT_FRAME_BYTES + (end - start) * WORST_BYTES_PER_MESSAGE_BYTE + 1;
    if (this.#at + worst > this.#body.length) this.#grow(worst);
    if (this.events > 0) this.#body[this.#at++] = 0x2c;
    this.newest = Math.max(this.newest, timestamp);
    this.#at = writeEventJson(this.#body, this.#at, this.newest, source, start, end);
    this.events++;
    this.counted += end - start + EVENT_OVERHEAD_BYTES;
  }

  /** Hashes what was written since the last call. */
  hashWritten(): void {
    this.#hash.update(this.#body.subarray(this.#hashedTo, this.#at));
    this.#hashedTo = this.#at;
  }

  close(): Body {
    this.#at += this.#body.write(']}', this.#at, 'latin1');
    this.hashWritten();
    return { bytes: this.#body.subarray(0, this.#at), buffer: this.#body, sha256: this.#hash.digest('hex') };
  }

  #grow(bytes: number): void {
    this.hashWritten();
    const bigger = Buffer.allocUnsafe(this.#body.length * 2 + bytes);
    this.#body.copy(bigger, 0, 0, this.#at);
    this.#body = bigger;
  }
}

/** pino's transport entry: a stream that ships every line it is written. */
export default async function floorShipper(options: FloorShipperOptions): Promise<Writable> {
  const client = new CloudWatchLogsClient({ region: options.region, endpoint: options.endpoint, credentials: options.credentials });
  const group = { logGroupName: options.logGroupName };
  const stream = { ...group, logStreamName: options.logStreamName };
  const ignoreExisting = (error: Error): void => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  };
  await client.send(new CreateLogGroupCommand(group)).catch(ignoreExisting);
  await client.send(new CreateLogStreamCommand(stream)).catch(ignoreExisting);
  const head = putLogEventsHead(stream.logGroupName, stream.logStreamName);
  /** Buffers of bodies sent, written again by the next bodies. */
  const spare: Buffer[] = [];
  let body = new BodyWriter(head, spare.pop());
  /** Bodies waiting for the one request in flight. */
  const ready: Body[] = [];
  let sending: Promise<void> | undefined;
  let partial = Buffer.alloc(0);
  /** A batch short of full goes once no chunk has come for a moment: the end of a burst, or a quiet app. */
  let quiet: NodeJS.Timeout | undefined;

  const put = async (sent: Body): Promise<void> => {
    const command = new PutLogEventsCommand({ ...stream, logEvents: [] });
    command.middlewareStack.add(
      (next) => async (args) => {
        replaceBody(args.request, sent.bytes);
        (args.request as { headers: Record<string, string> }).headers[SHA256_HEADER] = sent.sha256;
        return next(args);
      },
      {
        step: 'build',
        priority: 'high',
        name: 'floorBody',
      },
    );
    await client.send(command);
    spare.push(sent.buffer);
  };
  const pump = (): void => {
    if (sending || ready.length === 0) return;
    sending = put(ready.shift() as Body)
      .catch((error: Error) => {
        process.stderr.write(`floor shipper: a batch was lost: ${error.message}\n`);
      })
      .finally(() => {
        sending = undefined;
        pump();
      });
  };
  const seal = (): void => {
    if (body.events === 0) return;
    ready.push(body.close());
    body = new BodyWriter(head, spare.pop());
    pump();
  };
  const cut = (chunk: Buffer): void => {
    const timestamp = Date.now();
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      if (!body.fits(end - start)) seal();
      if (end > start) body.add(timestamp, chunk, start, end);
      start = end + 1;
    }
    body.hashWritten();
    partial = start < chunk.length ? Buffer.from(chunk.subarray(start)) : Buffer.alloc(0);
  };

  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      cut(partial.length > 0 ? Buffer.concat([partial, bytes]) : bytes);
      clearTimeout(quiet);
      quiet = setTimeout(seal, QUIET_MS);
      callback();
    },
    final(callback) {
      clearTimeout(quiet);
      if (partial.length > 0) cut(Buffer.concat([partial, Buffer.from('\n')]));
      seal();
      const drained = async (): Promise<void> => {
        while (sending) await sending;
      };
      drained().then(
        () => {
          client.destroy();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
}
