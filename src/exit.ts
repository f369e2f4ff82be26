import { describeUndelivered, flushRoot, flushRootSync, reportPossibleDuplicates } from './flush.js';
import type { RootState } from './root.js';
import { UNHANDLED_FIELD, type UnhandledOrigin } from './wire.js';

// Nothing lost at exit. Every way a process ends funnels into one of two places:
// - 'exit' (natural end, process.exit(), uncaught exception, unhandled rejection): the
//   listener cannot await, so it blocks on shared memory until the sinks have delivered,
//   bounded by exitTimeoutMs; pino's own exit hook then ends the worker.
// - SIGTERM/SIGINT/SIGHUP with no handler of the app's: Node would die without 'exit', so
//   logferry flushes first, then re-raises the signal so the process ends as Node would.

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export function installExitHandling(root: RootState): void {
  // Prepended: pino's own exit hook (on-exit-leak-free) ends the worker, so logferry must
  // wait for deliveries before it, whoever registered first.
  process.prependListener('exit', () => waitBeforeExit(root));
  if (root.config.captureUncaught) {
    // The monitor observes without changing Node's behaviour: the process still dies with
    // its usual code and message, after 'exit' has let the sinks deliver this line.
    process.on('uncaughtExceptionMonitor', (error, origin) => logUncaught(root, error, origin));
  }
  if (root.config.handleSignals) {
    for (const signal of SIGNALS) installSignalHandler(root, signal);
  }
}

function waitBeforeExit(root: RootState): void {
  if (root.closed || !root.stream) return;
  const flush = flushRootSync(root, root.config.exitTimeoutMs);
  reportPossibleDuplicates(flush);
  if (!flush.delivered) {
    process.stderr.write(
      `logferry: exit wait ran out after ${root.config.exitTimeoutMs} ms (LOG_EXIT_TIMEOUT_MS); not delivered: ${describeUndelivered(flush)}\n`,
    );
  }
}

function logUncaught(root: RootState, thrown: unknown, origin: UnhandledOrigin): void {
  const error = thrown instanceof Error ? thrown : new NonErrorThrown(thrown, origin);
  const what = origin === 'unhandledRejection' ? 'Unhandled promise rejection' : 'Uncaught exception';
  try {
    root.logger.fatal({ err: error, [UNHANDLED_FIELD]: origin }, `${what}: ${error.message}`);
  } catch {
    // Never let logging the crash replace the crash.
  }
}

/** A thrown string, number or plain object, carried as an Error so it keeps a class and a message. */
class NonErrorThrown extends Error {
  readonly thrown: unknown;
  constructor(thrown: unknown, origin: UnhandledOrigin) {
    super(`${origin === 'unhandledRejection' ? 'Promise rejected' : 'Thrown'} with a non-error: ${describe(thrown)}`);
    this.name = 'NonErrorThrown';
    this.thrown = thrown;
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function installSignalHandler(root: RootState, signal: (typeof SIGNALS)[number]): void {
  let flushing = false;
  const handler = (): void => {
    // The app has its own handler: it decides when to exit, and 'exit' will flush then.
    if (process.listenerCount(signal) > 1) return;
    if (flushing) {
      reraise();
      return;
    }
    flushing = true;
    void flushRoot(root, root.config.exitTimeoutMs).then(reportPossibleDuplicates).finally(reraise);
  };
  const reraise = (): void => {
    process.removeListener(signal, handler);
    root.closed = true;
    process.kill(process.pid, signal);
  };
  process.on(signal, handler);
}
