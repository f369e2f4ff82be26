export { AttemptCutOffError, AttemptTimeoutError } from './attempt-errors.js';
export {
  CLOUDWATCH_RETENTION_DAYS,
  EVENT_OVERHEAD_BYTES,
  MAX_AGE_MS,
  MAX_AHEAD_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_MESSAGE_BYTES,
} from './cloudwatch-limits.js';
export { readCloudWatchLine, shipsToCloudWatch } from './cloudwatch-lines.js';
export { fitMessage } from './fit-line.js';
export { lineLevel, readPrefixLevel, readPrefixTime, readPrefixTimeAfter } from './line-prefix.js';
export {
  CHANNEL_FIELD,
  flushMarkerLine,
  LEVELS,
  type LevelName,
  levelName,
  readFlushMarker,
  readLastError,
  type SharedState,
  type SinkName,
  type SinkRoute,
  type SinkWireOptions,
  STAT_FIELDS,
  type StatField,
  sharedBufferBytes,
  sinkSlot,
  statIndex,
  TRANSACTIONAL_CHANNEL,
  UNHANDLED_FIELD,
  type UnhandledOrigin,
  viewSharedState,
} from './protocol.js';
export { COMPLETION_FIELD, ERROR_MIDDLEWARE_ORIGIN, REQUEST_FIELD, type RequestWire } from './request-tab.js';
export { isErrorLike, keepConvertible, type SerializedError, serializeError, setField, unreadable } from './serialized-error.js';
export type { BugsnagRule, CloudWatchScope, ResolvedBugsnag, ResolvedCloudWatch, SpoolWire } from './sink-options.js';
export { createSinkReporter, receivedLineCounter, type SinkReporter, sinkReporterOver } from './sink-reporter.js';
export {
  claimName,
  encodeRecordInto,
  nextPosition,
  offsetOf,
  parseClaimName,
  parseSegmentName,
  position,
  RECORD_HEADER_BYTES,
  readSegment,
  SEGMENT_MAGIC,
  SPOOL_START,
  type SpoolPosition,
  type SpoolState,
  segmentBytesFor,
  segmentName,
  segmentOf,
  stateName,
} from './spool-format.js';
export { CLAIM_HEARTBEAT_MS, isOwnFile, makeDirectoryPrivate, newWriterOwnerId, ownerIsAlive, WRITE_NO_FOLLOW } from './spool-owner.js';
export { capUtf8, truncationMarker, utf8Bytes } from './utf8.js';
