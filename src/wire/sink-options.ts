// The network sinks' settings as the app's thread resolved them (src/config/) and the worker's
// sinks receive them: plain JSON, checked once on the app's thread. The public option types
// (src/options.ts) describe what an app may give; these describe what a sink gets.

import type { LevelName } from './protocol.js';

/** Which lines the CloudWatch sink ships: only the transactional channel, or every line at its level. */
export type CloudWatchScope = 'transactional' | 'all';

/** One declarative rule applied to each Bugsnag event, in order; the first match wins. */
export interface BugsnagRule {
  /** Matches the error class: the logged error's own `name` when it differs from its constructor's, else its `type`; or `LogWarning`/`LogError`/... */
  errorClass?: string;
  /** Matches the error message; a string is compiled as a regular expression. */
  messageMatches?: string;
  /** Severity to report instead. */
  severity?: 'error' | 'warning' | 'info';
  /** Override handled-ness (false: report as handled). */
  unhandled?: boolean;
  /** `'message'` groups by the error message; any other string is used as the grouping hash. */
  groupingHash?: 'message' | string;
  /** Send nothing for matching events (they are counted as suppressed). */
  ignore?: boolean;
}

/** The Bugsnag sink's settings, every default filled in. */
export interface ResolvedBugsnag {
  apiKey: string;
  releaseStage: string;
  appVersion?: string;
  level: LevelName;
  endpoints?: { notify: string; sessions: string };
  rules: BugsnagRule[];
  onErrorModule?: string;
  maxBreadcrumbs: number;
  maxEventsPerMinutePerGroup: number;
  maxQueuedEvents: number;
  requestTimeoutMs: number;
}

/** The CloudWatch sink's settings, every default filled in. */
export interface ResolvedCloudWatch {
  logGroupName: string;
  logStreamName: string;
  scope: CloudWatchScope;
  level: LevelName;
  createGroup: boolean;
  retentionDays?: number;
  region?: string;
  endpoint?: string;
  maxEventBytes: number;
  flushIntervalMs: number;
  maxQueueBytes: number;
  requestTimeoutMs: number;
}

/** What the log worker needs to ship this process's spool and recover others'. */
export interface SpoolWire {
  dir: string;
  owner: string;
  maxBytes: number;
  segmentBytes: number;
  fsync: boolean;
  /** How often the worker looks for spools of processes that died after it started. */
  rescanMs: number;
}
