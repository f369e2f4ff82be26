export type { LevelMethod, ScopedLines } from './guarded-level-methods.js';
export { capLineBytes, guardChildren, guardLogMethod, type LogFormatter } from './log-call-guard.js';
