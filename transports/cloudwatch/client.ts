import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { putLogEventsBody } from './put-body.js';

// The only file that talks to the AWS SDK. Region, endpoint and credentials come from the
// SDK's own default chain (AWS_REGION, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, profiles, roles)
// unless the options name them.

export interface LogsApiOptions {
  logGroupName: string;
  logStreamName: string;
  region?: string;
  endpoint?: string;
  requestTimeoutMs: number;
}

export interface PutResult {
  rejected?: RejectedLogEventsInfo;
}

/**
 * A PutLogEvents request already serialized and signed, held until `send()`. Preparing the
 * next batch while one is in flight takes the SDK's JSON escaping and SigV4 hashing off the
 * one-request-at-a-time path (docs/benchmarks.md#preparing-and-writing-a-putlogevents-body).
 */
export interface PreparedPut {
  send(): Promise<PutResult>;
  /** Drops it unsent; its signature would age while a failed batch before it is retried. */
  discard(): void;
}

export type LogEvents = Array<{ timestamp: number; message: string }>;

export interface LogsApi {
  preparePutLogEvents(events: LogEvents, signal: AbortSignal): PreparedPut;
  createLogGroup(signal: AbortSignal): Promise<void>;
  createLogStream(signal: AbortSignal): Promise<void>;
  putRetentionPolicy(days: number, signal: AbortSignal): Promise<void>;
  destroy(): void;
}

export function createLogsApi(options: LogsApiOptions): LogsApi {
  const client = new CloudWatchLogsClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // logferry retries itself (ordered, with its own backoff and counters), so the SDK must not.
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs,
      // Without it the SDK's HTTP handler only prints a warning when requestTimeout passes and
      // keeps waiting, so a hung endpoint would hold the one request in flight indefinitely.
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(options.requestTimeoutMs, 5000),
    },
  });
  const group = { logGroupName: options.logGroupName };
  const stream = { ...group, logStreamName: options.logStreamName };
  return {
    preparePutLogEvents(events, signal) {
      let release: (go: boolean) => void = () => undefined;
      const released = new Promise<boolean>((resolve) => {
        release = resolve;
      });
      // The SDK's JSON serializer escapes the messages one character at a time in JavaScript; a
      // JSON 1.1 body is the input as plain JSON, which put-body.ts writes from the queued bytes.
      // So the SDK serializes the request without its events, and the body is replaced before the
      // SDK computes the length and signs (docs/performance.md, docs/benchmarks.md#preparing-and-writing-a-putlogevents-body).
      const command = new PutLogEventsCommand({ ...stream, logEvents: [] });
      command.middlewareStack.add(
        (next) => async (args) => {
          replaceBody(args.request, putLogEventsBody(stream.logGroupName, stream.logStreamName, events));
          return next(args);
        },
        { step: 'build', priority: 'high', name: 'logferryPutLogEventsBody' },
      );
      // Last in finalizeRequest, after the signer: the request is complete and waits here.
      command.middlewareStack.add(
        (next) => async (args) => {
          if (!(await released)) throw new Error('PutLogEvents discarded before it was sent');
          return next(args);
        },
        { step: 'finalizeRequest', priority: 'low', name: 'logferryHoldUntilSent' },
      );
      const output = client.send(command, { abortSignal: signal });
      output.catch(() => undefined); // a discarded request fails unobserved
      return {
        async send() {
          release(true);
          const { rejectedLogEventsInfo } = await output;
          return rejectedLogEventsInfo ? { rejected: rejectedLogEventsInfo } : {};
        },
        discard() {
          release(false);
        },
      };
    },
    async createLogGroup(signal) {
      await client.send(new CreateLogGroupCommand(group), { abortSignal: signal });
    },
    async createLogStream(signal) {
      await client.send(new CreateLogStreamCommand(stream), { abortSignal: signal });
    },
    async putRetentionPolicy(days, signal) {
      await client.send(new PutRetentionPolicyCommand({ ...group, retentionInDays: days }), { abortSignal: signal });
    },
    destroy() {
      client.destroy();
    },
  };
}

/**
 * Sets a serialized request's body and its length (the signer, later in the stack, hashes this body).
 * The body is bytes, encoded once: as a string, the length, the signer's hash and the socket
 * write would each encode (or flatten) the MiB again.
 */
function replaceBody(request: unknown, body: Buffer): void {
  const http = request as { body?: unknown; headers?: Record<string, string> };
  if (http.body === undefined || !http.headers) throw new Error('PutLogEvents: the SDK built no HTTP request body to replace');
  http.body = body;
  for (const name of Object.keys(http.headers)) if (name.toLowerCase() === 'content-length') delete http.headers[name];
  http.headers['content-length'] = String(body.length);
}
