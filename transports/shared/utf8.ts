// The byte-exact text helpers live in src/utf8.ts, a plain module both threads load: the app's
// thread caps lines with them before they cross to the worker, and the sinks cut with the same code.
export { capUtf8, cutUtf8, truncationMarker, utf8Bytes } from '../../src/wire/utf8.js';
