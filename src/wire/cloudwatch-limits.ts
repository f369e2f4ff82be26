// The PutLogEvents limits, from the CloudWatch Logs API reference (PutLogEvents, InputLogEvent).
// Both threads need them: the app's thread checks `cloudwatch.maxEventBytes` against them, the
// worker's queue cuts batches by them.

/** The largest request body's worth of events: message bytes plus EVENT_OVERHEAD_BYTES each. */
export const MAX_BATCH_BYTES = 1_048_576;
/** Counted against the batch for every event, on top of its message's UTF-8 bytes. */
export const EVENT_OVERHEAD_BYTES = 26;
/** The largest message one event may carry: a batch of that one event is full. */
export const MAX_EVENT_MESSAGE_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;
export const MAX_BATCH_EVENTS = 10_000;
/** One batch may not span more than 24 hours. */
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
/** Events older than 14 days (or the group's retention) or over 2 hours ahead are rejected one by one. */
export const MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_AHEAD_MS = 2 * 60 * 60 * 1000;
/** The retention values PutRetentionPolicy accepts. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
