import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { BoundedAttempt } from '../shared/bounded-attempt.js';
import { putLogEventsBody } from './put-body.js';
import { type CreationOptions, createStream } from './resources.js';

// The only file that talks to the AWS SDK. Region, endpoint and credentials come from the
// SDK's own default chain (AWS_REGION, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, profiles, roles)
// unless the options name them. Every call is one bounded attempt (shared/bounded-attempt.ts).

export interface LogsApiOptions extends CreationOptions {
  logStreamName: string;
  region?: string;
  endpoint?: string;
  /** The bound on one attempt as a whole: connecting, headers and body. */
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
  /** `timeoutMs`: a tighter bound on this attempt than requestTimeoutMs (at exit). */
  send(timeoutMs?: number): Promise<PutResult>;
  /** Drops it unsent; its signature would age while a failed batch before it is retried. */
  discard(): void;
}

export type LogEvents = Array<{ timestamp: number; message: string }>;

export interface LogsApi {
  /** `cutOff` aborts the request at the exit deadline, whether it is held, in flight or being read. */
  preparePutLogEvents(events: LogEvents, cutOff: AbortSignal): PreparedPut;
  /** Makes the stream (and the group, when allowed) exist; at once when it is known to. One creation at a time. */
  ensureStream(cutOff: AbortSignal): Promise<void>;
  /** The stream was found missing: the next ensureStream creates it again. */
  streamLost(): void;
  /** Attempts running now end within `ms` (at exit), unless due sooner. */
  tighten(ms: number): void;
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
      // Without it the SDK's HTTP handler only prints a warning when requestTimeout passes;
      // the attempt's own bound covers the body too, this one ends a silent wait for headers.
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(options.requestTimeoutMs, 5000),
    },
  });
  const group = { logGroupName: options.logGroupName };
  const stream = { ...group, logStreamName: options.logStreamName };
  const timeoutMs = options.requestTimeoutMs;
  const SETTING = 'requestTimeoutMs';
  const EXIT_SETTING = 'its share of the exit budget';
  let streamReady = false;
  let creating: Promise<void> | undefined;
  /** Attempts running now, so that the exit can tighten their bound. */
  const running = new Set<BoundedAttempt>();

  async function bounded<T>(attempt: BoundedAttempt, request: Promise<T>, ms: number, setting: string): Promise<T> {
    running.add(attempt);
    try {
      return await attempt.run(request, ms, setting);
    } finally {
      running.delete(attempt);
    }
  }

  /** One call as one bounded attempt. */
  async function call(send: (abortSignal: AbortSignal) => Promise<unknown>, cutOff: AbortSignal): Promise<void> {
    const attempt = new BoundedAttempt(cutOff);
    await bounded(attempt, send(attempt.signal), timeoutMs, SETTING);
  }

  return {
    preparePutLogEvents(events, cutOff) {
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
      const attempt = new BoundedAttempt(cutOff);
      const output = client.send(command, { abortSignal: attempt.signal });
      output.catch(() => undefined); // a discarded request fails unobserved
      return {
        async send(tighterMs) {
          release(true);
          const bound = tighterMs !== undefined && tighterMs < timeoutMs ? tighterMs : timeoutMs;
          const { rejectedLogEventsInfo } = await bounded(attempt, output, bound, bound === timeoutMs ? SETTING : EXIT_SETTING);
          return rejectedLogEventsInfo ? { rejected: rejectedLogEventsInfo } : {};
        },
        discard() {
          attempt.release();
          release(false);
        },
      };
    },
    ensureStream(cutOff) {
      if (streamReady) return Promise.resolve();
      creating ??= createStream(
        {
          createLogGroup: () => call((abortSignal) => client.send(new CreateLogGroupCommand(group), { abortSignal }), cutOff),
          createLogStream: () => call((abortSignal) => client.send(new CreateLogStreamCommand(stream), { abortSignal }), cutOff),
          putRetentionPolicy: (days) =>
            call((abortSignal) => client.send(new PutRetentionPolicyCommand({ ...group, retentionInDays: days }), { abortSignal }), cutOff),
        },
        options,
      )
        .then(() => {
          streamReady = true;
        })
        .finally(() => {
          creating = undefined;
        });
      return creating;
    },
    streamLost() {
      streamReady = false;
    },
    tighten(ms) {
      for (const attempt of running) attempt.tighten(ms, EXIT_SETTING);
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
export function replaceBody(request: unknown, body: Buffer): void {
  const http = request as { body?: unknown; headers?: Record<string, string> };
  if (http.body === undefined || !http.headers) throw new Error('PutLogEvents: the SDK built no HTTP request body to replace');
  http.body = body;
  for (const name of Object.keys(http.headers)) if (name.toLowerCase() === 'content-length') delete http.headers[name];
  http.headers['content-length'] = String(body.length);
}
