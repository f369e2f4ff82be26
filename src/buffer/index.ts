export { openLogScope, useSampleRandom } from './open-scope.js';
export { endLogScope } from './scope-end.js';
export { scopedLines } from './scoped-lines.js';
export { withLogBuffer } from './with-log-buffer.js';
