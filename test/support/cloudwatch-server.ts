import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback.js';

// A local stand-in for CloudWatch Logs that speaks its JSON 1.1 protocol
// (X-Amz-Target: Logs_20140328.*), enforces the documented PutLogEvents limits with the
// error types the service uses, stores what it accepts, and can be told to misbehave.
// Used by the tests and by the demo; production code never imports it.

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface PutRecord {
  group: string;
  stream: string;
  events: number;
  bytes: number;
  /** Undefined when accepted; the error type when the server refused the request. */
  error?: string;
  at: number;
}

/**
 * `drop`: the connection is closed before the request is processed. `lose-answer`: the request
 * is processed (a batch stored), then the connection is closed without an answer, as when an
 * answer is lost on the way back. `late-answer`: processed, answered LATE_ANSWER_MS later.
 * `slow-body`: processed, answered 200 at once, the body then sent one byte every
 * SLOW_BODY_BYTE_MS. `cut-body`: processed, answered 200, the connection closed mid-body.
 * `413`: not processed; a proxy's HTML "413 Payload Too Large" page. `refuse`: not processed;
 * 400 InvalidParameterException. `denied`: not processed; 400 AccessDeniedException. `stall`: held
 * LATE_ANSWER_MS before it is processed (stored) and answered, as a proxy that hangs does.
 */
export type Fault =
  | 'stall'
  | 'throttle'
  | '500'
  | 'drop'
  | 'lose-answer'
  | 'late-answer'
  | 'slow-body'
  | 'cut-body'
  | '413'
  | 'refuse'
  | 'denied';

/** Longer than any request timeout a test sets: the client gives up before this answer comes. */
const LATE_ANSWER_MS = 5000;
/** A slow body trickles at this pace, padded so that it would take over a minute in all. */
const SLOW_BODY_BYTE_MS = 250;
const SLOW_BODY_BYTES = 300;

interface Group {
  retentionInDays?: number;
  createdAt: number;
  streams: Map<string, StoredEvent[]>;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const LIMITS = {
  batchBytes: 1_048_576,
  eventOverhead: 26,
  events: 10_000,
  spanMs: 24 * 3600_000,
  aheadMs: 2 * 3600_000,
  ageMs: 14 * 24 * 3600_000,
};

export interface CloudWatchServerOptions {
  /** Largest event, message bytes plus 26: 1,048,576 today; 262,144 for the older 256 KB limit. */
  maxEventSize?: number;
  /** What to keep of each accepted message (a long run keeps only what it counts); the whole message by default. */
  keep?: (message: string) => string;
}

export class LocalCloudWatchLogs {
  readonly groups = new Map<string, Group>();
  readonly puts: PutRecord[] = [];
  /** Requests refused for breaking a PutLogEvents limit: a correct client causes none. */
  readonly limitViolations: string[] = [];
  /** Requests whose x-amz-content-sha256 matched their body, and those whose did not (refused). */
  payloadHashesChecked = 0;
  payloadHashMismatches = 0;
  readonly calls: string[] = [];
  delayMs = 0;
  denyCreateGroup = false;
  /** Set, a proxy in front: bodies over this many bytes are answered 413 without reaching the service. */
  maxBodyBytes: number | undefined;
  /** Slow bodies whose client hung up before the body was done (the client's attempt bound released the socket). */
  slowBodiesAbandoned = 0;
  /** Called after each accepted PutLogEvents with the count so far (e.g. to delete the stream mid-run). */
  onAccepted: ((acceptedPuts: number) => void) | undefined;
  readonly #maxEventSize: number;
  readonly #keep: ((message: string) => string) | undefined;
  #faults: Array<{ kind: Fault; remaining: number; until: number; operation: string | undefined }> = [];
  #server: Server | undefined;
  #url = '';

  constructor(options: CloudWatchServerOptions = {}) {
    this.#maxEventSize = options.maxEventSize ?? 1_048_576;
    this.#keep = options.keep;
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    // Longer than the longest backoff: a client that reuses a socket the server is just closing
    // gets ECONNRESET, a race real endpoints avoid with long idle timeouts.
    this.#server.keepAliveTimeout = 60_000;
    this.#url = await listenOnLoopback(this.#server);
    return this;
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  /** Answer the next `count` calls (of `operation` only, when named) with this fault. */
  failNext(kind: Fault, count: number, operation?: string): void {
    this.#faults.push({ kind, remaining: count, until: Number.POSITIVE_INFINITY, operation });
  }

  /** Answer every call (of `operation` only, when named) with this fault for `ms`. */
  failFor(kind: Fault, ms: number, operation?: string): void {
    this.#faults.push({ kind, remaining: Number.POSITIVE_INFINITY, until: Date.now() + ms, operation });
  }

  /** How many calls of `operation` came, answered or not. */
  callCount(operation: string): number {
    return this.calls.filter((call) => call === operation).length;
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Create a group out of band, as infrastructure code does before a service starts. */
  provisionGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, { createdAt: Date.now(), streams: new Map() });
  }

  /** Delete a stream, as someone with console access might mid-run. */
  forgetStream(group: string, stream: string): void {
    this.groups.get(group)?.streams.delete(stream);
  }

  events(group: string, stream?: string): StoredEvent[] {
    const found = this.groups.get(group);
    if (!found) return [];
    if (stream !== undefined) return found.streams.get(stream) ?? [];
    return [...found.streams.values()].flat();
  }

  /** How many events a group holds, without copying them (cheap enough to poll). */
  eventCount(group: string): number {
    let count = 0;
    for (const stream of this.groups.get(group)?.streams.values() ?? []) count += stream.length;
    return count;
  }

  /** Every accepted message of a group, parsed. */
  messages(group: string): Array<Record<string, unknown>> {
    return this.events(group).map((event) => JSON.parse(event.message) as Record<string, unknown>);
  }

  acceptedPuts(group?: string): PutRecord[] {
    return this.puts.filter((put) => put.error === undefined && (group === undefined || put.group === group));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // delayMs is the round trip as the client sees it: this server's own work counts inside it.
    const answerAt = Date.now() + this.delayMs;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : '';
    this.calls.push(operation);
    // A proxy in front answers before the service (and its faults) see the request.
    const bodyBytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (this.maxBodyBytes !== undefined && bodyBytes > this.maxBodyBytes) {
      this.#replyProxyPage(res, 413, 'Payload Too Large');
      return;
    }
    const fault = this.#takeFault(operation);
    if (fault === '413') {
      this.#replyProxyPage(res, 413, 'Payload Too Large');
      return;
    }
    if (fault === 'stall') await new Promise((resolve) => setTimeout(resolve, LATE_ANSWER_MS));
    let answer: { status: number; body: unknown; errorType?: string } | undefined;
    if (fault !== 'drop') {
      try {
        if (fault === 'throttle') throw new ServiceError('ThrottlingException', 'Rate exceeded');
        if (fault === '500') throw new ServiceError('ServiceUnavailableException', 'The service is unavailable', 503);
        if (fault === 'refuse') throw new ServiceError('InvalidParameterException', '1 validation error detected: logEvents refused');
        if (fault === 'denied') {
          throw new ServiceError(
            'AccessDeniedException',
            `User: arn:aws:sts::000000000000:assumed-role/app is not authorized to perform: logs:${operation}`,
          );
        }
        if (req.method !== 'POST' || !operation) throw new ServiceError('UnknownOperationException', `unknown target ${target}`);
        if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
          throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
        }
        const body = Buffer.concat(chunks);
        // The service recomputes the payload's hash for the signature; a header that claims another fails it.
        const claimedHash = req.headers['x-amz-content-sha256'];
        if (typeof claimedHash === 'string') {
          if (claimedHash !== createHash('sha256').update(body).digest('hex')) {
            this.payloadHashMismatches++;
            throw new ServiceError(
              'InvalidSignatureException',
              'The request signature we calculated does not match the signature you provided.',
            );
          }
          this.payloadHashesChecked++;
        }
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        answer = { status: 200, body: this.#operate(operation, input) };
      } catch (error) {
        const failure = error instanceof ServiceError ? error : new ServiceError('InternalFailure', String(error), 500);
        answer = { status: failure.status, body: { __type: failure.type, message: failure.message }, errorType: failure.type };
      }
    }
    const wait = answerAt + (fault === 'late-answer' ? LATE_ANSWER_MS : 0) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (!answer || fault === 'lose-answer') req.socket.destroy();
    else if (fault === 'slow-body') this.#replySlowly(res, answer.status, answer.body);
    else if (fault === 'cut-body') this.#replyCut(res, answer.status, answer.body);
    else this.#reply(res, answer.status, answer.body, answer.errorType);
  }

  #takeFault(operation: string): Fault | undefined {
    const now = Date.now();
    this.#faults = this.#faults.filter((fault) => fault.remaining > 0 && fault.until > now);
    const fault = this.#faults.find((candidate) => candidate.operation === undefined || candidate.operation === operation);
    if (!fault) return undefined;
    fault.remaining--;
    return fault.kind;
  }

  /** The whole answer is promised by content-length, then sent one byte at a time. */
  #replySlowly(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body).padEnd(SLOW_BODY_BYTES, ' ');
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': text.length });
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < text.length) res.write(text[sent++]);
      else {
        clearInterval(timer);
        res.end();
      }
    }, SLOW_BODY_BYTE_MS);
    res.on('close', () => {
      clearInterval(timer);
      if (sent < text.length) this.slowBodiesAbandoned++;
    });
  }

  /** A 200 whose connection closes after the first bytes of its body. */
  #replyCut(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body).padEnd(64, ' ');
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': text.length });
    res.write(text.slice(0, 1), () => res.socket?.destroy());
  }

  /** What a proxy in front of the service answers: HTML, no AWS error type. */
  #replyProxyPage(res: ServerResponse, status: number, reason: string): void {
    const page = `<html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1></body></html>`;
    res.writeHead(status, reason, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page), connection: 'close' });
    res.end(page);
  }

  #reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': `req-${this.calls.length}`,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  }

  #operate(operation: string, input: Record<string, unknown>): unknown {
    const groupName = String(input.logGroupName ?? '');
    switch (operation) {
      case 'CreateLogGroup':
        if (this.denyCreateGroup)
          throw new ServiceError('AccessDeniedException', `not authorized to perform: logs:CreateLogGroup on ${groupName}`);
        if (this.groups.has(groupName)) throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
        this.provisionGroup(groupName);
        return {};
      case 'CreateLogStream': {
        const group = this.#group(groupName);
        const streamName = String(input.logStreamName ?? '');
        if (group.streams.has(streamName))
          throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        group.streams.set(streamName, []);
        return {};
      }
      case 'PutRetentionPolicy':
        this.#group(groupName).retentionInDays = Number(input.retentionInDays);
        return {};
      case 'DescribeLogGroups':
        return {
          logGroups: [...this.groups.entries()]
            .filter(([name]) => name.startsWith(String(input.logGroupNamePrefix ?? '')))
            .map(([name, group]) => ({ logGroupName: name, creationTime: group.createdAt, retentionInDays: group.retentionInDays })),
        };
      case 'DescribeLogStreams':
        return { logStreams: [...this.#group(groupName).streams.keys()].map((logStreamName) => ({ logStreamName })) };
      case 'PutLogEvents':
        return this.#putLogEvents(
          groupName,
          String(input.logStreamName ?? ''),
          (input.logEvents ?? []) as Array<{ timestamp: number; message: string }>,
        );
      case 'GetLogEvents': {
        const events = this.#stream(groupName, String(input.logStreamName ?? ''));
        const start = Number(input.nextToken ?? 0);
        const limit = Math.min(Number(input.limit ?? 10_000), 10_000);
        const page = events.slice(start, start + limit);
        return { events: page, nextForwardToken: String(start + page.length), nextBackwardToken: String(start) };
      }
      case 'FilterLogEvents': {
        const pattern = String(input.filterPattern ?? '').replace(/^"|"$/g, '');
        const events = this.events(groupName).filter((event) => pattern === '' || event.message.includes(pattern));
        return { events: events.slice(0, 10_000) };
      }
      default:
        throw new ServiceError('UnknownOperationException', `operation ${operation} is not supported by the local server`);
    }
  }

  #group(name: string): Group {
    const group = this.groups.get(name);
    if (!group) throw new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  #stream(groupName: string, streamName: string): StoredEvent[] {
    const stream = this.#group(groupName).streams.get(streamName);
    if (!stream) throw new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return stream;
  }

  #putLogEvents(groupName: string, streamName: string, events: Array<{ timestamp: number; message: string }>): unknown {
    const record: PutRecord = { group: groupName, stream: streamName, events: events.length, bytes: 0, at: Date.now() };
    this.puts.push(record);
    try {
      const stream = this.#stream(groupName, streamName);
      record.bytes = this.#checkLimits(events);
      const now = Date.now();
      const group = this.#group(groupName);
      const oldest = now - Math.min(LIMITS.ageMs, (group.retentionInDays ?? 14) * 24 * 3600_000);
      let tooOldEnd = -1;
      let tooNewStart: number | undefined;
      events.forEach((event, index) => {
        if (event.timestamp < oldest) tooOldEnd = index;
        else if (event.timestamp > now + LIMITS.aheadMs) tooNewStart ??= index;
        else
          stream.push({ timestamp: event.timestamp, message: this.#keep ? this.#keep(event.message) : event.message, ingestionTime: now });
      });
      const rejected = {
        ...(tooOldEnd >= 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
        ...(tooNewStart !== undefined ? { tooNewLogEventStartIndex: tooNewStart } : {}),
      };
      this.onAccepted?.(this.acceptedPuts().length);
      return Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {};
    } catch (error) {
      record.error = (error as ServiceError).type;
      throw error;
    }
  }

  /** Returns the batch size in bytes as the service counts it; throws what the service would. */
  #checkLimits(events: Array<{ timestamp: number; message: string }>): number {
    const violation = (message: string): ServiceError => {
      this.limitViolations.push(message);
      return new ServiceError('InvalidParameterException', message);
    };
    if (events.length === 0 || events.length > LIMITS.events)
      throw violation(`logEvents must hold 1 to ${LIMITS.events} events, got ${events.length}`);
    let bytes = 0;
    for (const [index, event] of events.entries()) {
      const size = Buffer.byteLength(event.message ?? '', 'utf8') + LIMITS.eventOverhead;
      if (!event.message) throw violation(`Log event ${index} has an empty message`);
      if (size > this.#maxEventSize) throw violation(`Log event too large: ${size} bytes exceeds limit of ${this.#maxEventSize}`);
      if (index > 0 && event.timestamp < (events[index - 1]?.timestamp ?? 0)) {
        throw violation('Log events in a single PutLogEvents request must be in chronological order.');
      }
      bytes += size;
    }
    if (bytes > LIMITS.batchBytes) throw violation(`Upload too large: ${bytes} bytes exceeds limit of ${LIMITS.batchBytes}`);
    const span = (events.at(-1)?.timestamp ?? 0) - (events[0]?.timestamp ?? 0);
    if (span > LIMITS.spanMs) throw violation('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    return bytes;
  }
}
