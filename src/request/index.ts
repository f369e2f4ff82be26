export type { CompletionLevelChooser, CompletionLevels, CompletionOptions } from './completion-line.js';
export { createRequestTracker, isWellFormedRequestId, type RequestLoggingOptions } from './request-tracker.js';
