// The environment every bench child runs in: production mode, its own log group, the local
// CloudWatch and Bugsnag stand-ins, and test credentials that only those accept.
import { TEST_BUGSNAG_KEY } from '../test/support/bugsnag-env.js';
import type { LocalBugsnag } from '../test/support/bugsnag-receiver.js';
import type { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';

/** The variables a child logs with, to `group` on the local servers. */
export function benchChildEnv(group: string, cloudwatch: LocalCloudWatchLogs, bugsnag: LocalBugsnag): Record<string, string> {
  return {
    NODE_ENV: 'production',
    NODE_NO_WARNINGS: '1',
    BENCH_GROUP: group,
    BENCH_STREAM: 'bench',
    CLOUDWATCH_LOG_GROUP: group,
    CLOUDWATCH_LOG_STREAM: 'bench',
    LOG_EXIT_TIMEOUT_MS: '1000',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudwatch.url,
    AWS_ACCESS_KEY_ID: 'bench-key-id',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    BUGSNAG_API_KEY: TEST_BUGSNAG_KEY,
    BUGSNAG_ENDPOINT_NOTIFY: bugsnag.notifyUrl,
    BUGSNAG_ENDPOINT_SESSIONS: bugsnag.sessionsUrl,
  };
}
