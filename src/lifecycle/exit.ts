import { writeSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { NonErrorThrown } from '../errors.js';
import { createKeyMatcher } from '../redact/secret-keys.js';
import type { RootState } from '../root/state.js';
import { createSanitizer } from '../sanitize/sanitizer.js';
import { UNHANDLED_FIELD, type UnhandledOrigin } from '../wire/protocol.js';
import { reportEnding } from './ending-report.js';
import { flushRoot, flushRootSync } from './flush.js';
import { handleSignals } from './signal-registry.js';

// Nothing lost at exit. Every way a process ends funnels into one of two places:
// - 'exit' (natural end, process.exit(), uncaught exception, unhandled rejection): the
//   listener cannot await, so it blocks on shared memory until the sinks have delivered,
//   bounded by exitTimeoutMs; the worker's own 'exit' listener (src/handover/worker-stream.ts)
//   then hands over what is left and ends it.
// - SIGTERM/SIGINT/SIGHUP with no handler of the app's: Node would die without 'exit', so
//   logferry flushes first, then re-raises the signal so the process ends as Node would.
//   Every copy of logferry in the process shares one listener (signal-registry.ts).
// Either way, what is left undelivered is said on stderr by the app's thread (ending-report.ts).

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export function installExitHandling(root: RootState): void {
  // Prepended: the worker's 'exit' listener ends the worker, so logferry must wait for
  // deliveries before it runs, whoever registered first.
  process.prependListener('exit', () => waitBeforeExit(root));
  if (root.config.captureUncaught) {
    // The monitor observes without changing Node's behaviour: the process still dies with
    // its usual code and message, after 'exit' has let the sinks deliver this line.
    process.on('uncaughtExceptionMonitor', (error, origin) => logUncaught(root, error, origin));
  }
  if (root.config.handleSignals) handleSignals(SIGNALS, (signal) => flushOnSignal(root, signal));
  if (!isMainThread) noticeOffMainThread();
}

/**
 * In an app's own worker thread, 'exit' fires when that thread ends, but not when the main
 * thread ends the process first: then the thread is stopped, and lines its log worker has not
 * delivered are gone without a word. Nothing in this thread can see that coming, so it is said
 * once, up front, with the one line that prevents it. Written to fd 2 directly: a worker's
 * process.stderr is relayed through the main thread and can arrive after the process is gone.
 */
function noticeOffMainThread(): void {
  try {
    writeSync(
      2,
      `logferry: logging from worker thread ${threadId}: the process does not wait for this thread's lines when the main thread exits; call \`await flushLogs()\` in this thread before it reports its work done (docs/failure-modes-app.md)\n`,
    );
  } catch {
    // stderr closed: nothing to tell.
  }
}

function waitBeforeExit(root: RootState): void {
  if (root.closed || !root.stream) return;
  const flush = flushRootSync(root, root.config.exitTimeoutMs);
  reportEnding(flush, 'exit', root.config.exitTimeoutMs);
}

async function flushOnSignal(root: RootState, signal: NodeJS.Signals): Promise<void> {
  if (root.closed || !root.stream) return;
  const flush = await flushRoot(root, root.config.exitTimeoutMs);
  // The signal ends the process without 'exit': this is the last word, and nothing more is flushed.
  root.closed = true;
  reportEnding(flush, signal, root.config.exitTimeoutMs);
}

function logUncaught(root: RootState, thrown: unknown, origin: UnhandledOrigin): void {
  const error = thrown instanceof Error ? thrown : new NonErrorThrown(thrown, origin, describeThrown(thrown, root.config.redactKeys));
  const what = origin === 'unhandledRejection' ? 'Unhandled promise rejection' : 'Uncaught exception';
  try {
    root.logger.fatal({ err: error, [UNHANDLED_FIELD]: origin }, `${what}: ${error.message}`);
  } catch {
    // Never let logging the crash replace the crash.
  }
}

/** Longest description of a thrown non-error kept in the message; the value itself is a field. */
const MAX_DESCRIBED_CHARS = 1000;

/**
 * A thrown non-error as its message shows it: the sanitized value (secret keys and URL secrets
 * censored), never the raw object, since the message is copied into msg and the stack.
 */
export function describeThrown(value: unknown, redactKeys: readonly string[]): string {
  try {
    const safe = createSanitizer(createKeyMatcher(redactKeys)).value(value);
    const text = typeof safe === 'string' ? safe : (JSON.stringify(safe) ?? String(safe));
    return text.length > MAX_DESCRIBED_CHARS ? `${text.slice(0, MAX_DESCRIBED_CHARS)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
