import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';

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
 * next batch while one is in flight takes the SDK's ~10 ms per MiB (JSON escaping, SigV4
 * hashing) off the one-request-at-a-time path.
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
    requestHandler: { requestTimeout: options.requestTimeoutMs, connectionTimeout: Math.min(options.requestTimeoutMs, 5000) },
  });
  const group = { logGroupName: options.logGroupName };
  const stream = { ...group, logStreamName: options.logStreamName };
  return {
    preparePutLogEvents(events, signal) {
      let release: (go: boolean) => void = () => undefined;
      const released = new Promise<boolean>((resolve) => {
        release = resolve;
      });
      const command = new PutLogEventsCommand({ ...stream, logEvents: events });
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
