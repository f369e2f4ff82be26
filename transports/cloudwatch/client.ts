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

export interface LogsApi {
  putLogEvents(events: Array<{ timestamp: number; message: string }>, signal: AbortSignal): Promise<PutResult>;
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
    async putLogEvents(events, signal) {
      const output = await client.send(new PutLogEventsCommand({ ...stream, logEvents: events }), { abortSignal: signal });
      return output.rejectedLogEventsInfo ? { rejected: output.rejectedLogEventsInfo } : {};
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
