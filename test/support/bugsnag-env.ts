import type { LocalBugsnag } from './bugsnag-receiver.js';

/** A made-up key of the right shape: the local receiver checks the shape, nothing more. */
export const TEST_BUGSNAG_KEY = '0123456789abcdef0123456789abcdef';

export function bugsnagEnv(receiver: LocalBugsnag, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL_CONSOLE: 'fatal',
    BUGSNAG_API_KEY: TEST_BUGSNAG_KEY,
    BUGSNAG_ENDPOINT_NOTIFY: receiver.notifyUrl,
    BUGSNAG_ENDPOINT_SESSIONS: receiver.sessionsUrl,
    APP_VERSION: '1.2.3',
    ...extra,
  };
}
