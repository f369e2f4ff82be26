import { currentLogContext, layeredContext, runInLogContext } from './log-context.js';

// The state of one buffering scope (a tracked request, a Lambda invocation, a withLogBuffer):
// the lines held below their logger's level (src/buffer/), or, for a sampled scope, the mark that
// its lines are written at debug. It rides in the log context under a symbol, so a nested
// withLogContext (which copies symbol keys) stays in the same scope.

/** One held line: its text as it would have been written, and the logger whose destination writes it. */
export interface HeldLine {
  readonly text: string;
  /** UTF-8 bytes, counted against the scope's cap. */
  readonly bytes: number;
  readonly logger: object;
}

/** The state of one scope; see the module comment. */
export interface LogScope {
  /** True when the scope was sampled: its lines below the logger's level are written, not held. */
  readonly sampled: boolean;
  /** The held lines, oldest first. */
  held: HeldLine[];
  heldBytes: number;
  /** Lines dropped, oldest first, to keep the scope under its cap since the last batch was written. */
  dropped: number;
  /** Set when the scope ended: a line logged later (a timer left running) is neither held nor written for it. */
  ended: boolean;
}

/** The context key of the scope. */
export const LOG_SCOPE: unique symbol = Symbol('logferry.logScope');

type ScopeContext = Readonly<Record<string, unknown>> & { [LOG_SCOPE]?: LogScope };

/** A new, empty scope. */
export function createLogScope(sampled: boolean): LogScope {
  return { sampled, held: [], heldBytes: 0, dropped: 0, ended: false };
}

/** The scope the current line is logged in, or undefined outside one. */
export function currentLogScope(): LogScope | undefined {
  return (currentLogContext() as ScopeContext | undefined)?.[LOG_SCOPE];
}

/** Runs `fn` in the current context with `scope` added (its fields, getters included, kept as they are). */
export function runInLogScope<T>(scope: LogScope, fn: () => T): T {
  return runInLogContext(layeredContext(currentLogContext(), { [LOG_SCOPE]: scope }), fn);
}
