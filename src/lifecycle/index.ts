export { installExitHandling } from './exit.js';
export { type FlushResult, flushRoot, type SinkFlushState, type SinkStats } from './flush.js';
export { closeLogs, flushLogs, logStats } from './flush-close-stats.js';
export { handleSignals } from './signal-registry.js';
