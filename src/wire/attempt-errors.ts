// The worker's request attempts fail with these; they are defined with every other logferry
// error in src/errors.ts and reach the worker through here, the one door from transports/.
export { AttemptCutOffError, AttemptTimeoutError } from '../errors.js';
