export { configureLogging, rootState } from './build-root.js';
export { createLogger, transactionalLogger } from './create-logger.js';
export { setLogLevel } from './set-log-level.js';
