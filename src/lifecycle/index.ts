export { endAfterExitWait, installExitHandling } from './exit.js';
export { type FlushResult, flushRoot, type SinkFlushState, type SinkStats } from './flush.js';
export { closeLogs, flushLogs, logStats } from './flush-close-stats.js';
export { handleSignals, type SignalFinisher, type SignalFlusher } from './signal-registry.js';
