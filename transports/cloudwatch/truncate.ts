// The fitting logic lives in src/fit-line.ts, a plain module both threads load: the app's
// thread applies it at LOG_MAX_LINE_BYTES before a line crosses, this sink at its event size.
export { type FittedMessage, fitMessage, TRUNCATION_FIELD } from '../../src/wire/fit-line.js';
