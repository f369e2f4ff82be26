export { boundAppBacklog } from './app-backlog.js';
export { planSinks } from './sink-plan.js';
export type { TransportStream } from './transport-stream.js';
export { BUNDLED_WORKER_FILE_NAME, BUNDLED_WORKER_GLOBAL, locateWorker, withThreadStreamWorker } from './worker-file.js';
export { startWorkerStream } from './worker-stream.js';
