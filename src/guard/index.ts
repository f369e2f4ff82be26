export { capLineBytes, guardChildren, guardLogMethod, type LogFormatter } from './log-call-guard.js';
