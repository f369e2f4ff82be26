export { createRequestTracker, type RequestLoggingOptions } from './request-tracker.js';
