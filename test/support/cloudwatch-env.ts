import type { LocalCloudWatchLogs } from './cloudwatch-server.js';

/** The environment a child process needs to ship to the local server with the real SDK. Dummy credentials: the local server only checks that requests are signed. */
export function cloudWatchEnv(server: LocalCloudWatchLogs, group: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL_CONSOLE: 'fatal',
    CLOUDWATCH_LOG_GROUP: group,
    CLOUDWATCH_LOG_STREAM: 'test-stream',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: server.url,
    AWS_ACCESS_KEY_ID: 'local-test-key-id',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** The FlushResult a fixture printed on stderr. */
export function printedFlush(stderr: string): { delivered: boolean; sinks: Record<string, Record<string, number | boolean | string>> } {
  const match = /^flush=(.*)$/m.exec(stderr);
  if (!match?.[1]) throw new Error(`the fixture printed no flush result; stderr:\n${stderr}`);
  return JSON.parse(match[1]);
}
