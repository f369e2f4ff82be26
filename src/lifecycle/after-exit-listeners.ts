// logferry's last wait at 'exit' must come after the app's own 'exit' listeners, so that lines
// they log reach the sinks. A listener cannot be kept last: Node runs a copy of the listener list
// taken when 'exit' is emitted, and 'newListener' fires before the new listener is added, so a
// listener moved to the end on 'newListener' would still come before it (and one moved a tick
// later misses `process.on('exit', f); process.exit()` in one turn). Every ending that fires
// 'exit' (natural end, process.exit(), an uncaught throw, an unhandled rejection) calls
// `process.emit('exit', code)` through the property, so wrapping process.emit runs these hooks
// after every listener, whenever it was added: signal-exit v3 keeps its place the same way.

/** A hook run once, after every 'exit' listener has run. */
export type AfterExitHook = (code: number) => void;

const hooks: AfterExitHook[] = [];
let wrapped = false;
let ran = false;

/** Runs `hook` after every 'exit' listener, in the order hooks were added. */
export function afterExitListeners(hook: AfterExitHook): void {
  hooks.push(hook);
  if (!wrapped) wrapEmit();
}

function wrapEmit(): void {
  wrapped = true;
  const emit = process.emit;
  const emitThenHooks = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    try {
      return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
    } finally {
      // In `finally`: an app's listener that throws still leaves logferry its wait.
      if (event === 'exit' && !ran) runHooks(typeof args[0] === 'number' ? args[0] : Number(process.exitCode) || 0);
    }
  };
  process.emit = emitThenHooks as typeof process.emit;
}

function runHooks(code: number): void {
  ran = true;
  for (const hook of hooks) {
    try {
      hook(code);
    } catch {
      // A hook that throws must not keep the next from ending the worker.
    }
  }
}
