import { createLogScope, currentLogScope, runInLogScope } from '../context/log-scope.js';
import { endLogScope } from './scope-end.js';

/**
 * Runs `fn` as a buffering scope of the app's own (a queue job, a batch item): with buffering on
 * (LOG_BUFFER_LEVEL), lines below their logger's level are held, and written only if a line at
 * error or above is logged inside it, or `fn` throws (or its promise rejects). Otherwise they
 * are discarded when `fn` returns. Inside a request, an invocation or another withLogBuffer,
 * `fn` joins that scope.
 */
export function withLogBuffer<T>(fn: () => T): T {
  if (currentLogScope() !== undefined) return fn();
  const scope = createLogScope(false);
  return runInLogScope(scope, () => {
    let result: T;
    try {
      result = fn();
    } catch (error) {
      endLogScope(scope, true);
      throw error;
    }
    if (!isThenable(result)) {
      endLogScope(scope, false);
      return result;
    }
    return result.then(
      (value) => {
        endLogScope(scope, false);
        return value;
      },
      (error: unknown) => {
        endLogScope(scope, true);
        throw error;
      },
    ) as T;
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
