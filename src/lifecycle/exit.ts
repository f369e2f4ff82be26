import { writeSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { NonErrorThrown } from '../errors.js';
import { createKeyMatcher } from '../redact/secret-keys.js';
import type { RootState } from '../root/state.js';
import { createSanitizer } from '../sanitize/sanitizer.js';
import { UNHANDLED_FIELD, type UnhandledOrigin } from '../wire/protocol.js';
import { afterExitListeners } from './after-exit-listeners.js';
import { reportEnding } from './ending-report.js';
import { flushRoot, flushRootSync } from './flush.js';
import { finishersWillRun, handleSignals, type SignalFinisher, type SignalFlusher } from './signal-registry.js';

// Nothing lost at exit. Every way a process ends funnels into one of two places:
// - 'exit' (natural end, process.exit(), uncaught exception, unhandled rejection): after every
//   'exit' listener of the app has run (after-exit-listeners.ts), so the lines they log count
//   too, logferry blocks on shared memory until the sinks have delivered, bounded by
//   exitTimeoutMs; then the worker is ended (src/handover/worker-stream.ts), handed what is left.
// - SIGTERM/SIGINT/SIGHUP with no handler of the app's: Node would die without 'exit', so
//   logferry flushes first while the app goes on, then blocks for the lines logged meanwhile and
//   re-raises the signal in the same turn, so the process ends as Node would and no line logged
//   before that is left out. Every copy of logferry shares one listener (signal-registry.ts).
// Either way, what is left undelivered is said on stderr by the app's thread (ending-report.ts).

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export function installExitHandling(root: RootState): void {
  afterExitListeners(() => waitBeforeExit(root));
  if (root.config.captureUncaught) {
    // The monitor observes without changing Node's behaviour: the process still dies with
    // its usual code and message, after 'exit' has let the sinks deliver this line.
    process.on('uncaughtExceptionMonitor', (error, origin) => logUncaught(root, error, origin));
  }
  if (root.config.handleSignals) {
    const ending = signalEnding(root);
    handleSignals(SIGNALS, ending.flush, ending.finisher);
  }
  if (!isMainThread) noticeOffMainThread();
}

/**
 * Runs `end` at exit after logferry's wait (installExitHandling, called first, added that wait
 * first): the worker is handed what is left and ended only once the sinks had their time.
 */
export function endAfterExitWait(end: () => void): void {
  afterExitListeners(end);
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
  reportEnding(flush, 'exit', root.config.exitTimeoutMs, Boolean(root.config.spool));
}

/**
 * The share of the signal's budget kept for the finisher, at most: it blocks while the sinks
 * take the lines logged during the flush, and counts them when it runs out of time. Generous:
 * on a loaded machine the log worker can take a second or more to reach the last lines, and
 * the app, which is ending anyway, only logs more lines that then need time while it runs on.
 */
const FINAL_SHARE = 0.5;
const FINAL_SHARE_MAX_MS = 2500;

/**
 * On a signal: an async flush of the lines logged so far, while the app goes on (and other
 * copies of logferry flush beside it); then, in the turn that re-raises the signal, a blocking
 * flush of everything logged since, bounded by the same deadline. Nothing can be logged after
 * that, so what it leaves undelivered is exactly what the report says.
 */
function signalEnding(root: RootState): { flush: SignalFlusher; finisher: SignalFinisher } {
  const budget = root.config.exitTimeoutMs;
  let deadline = 0;
  return {
    flush: async (signal) => {
      if (root.closed || !root.stream) return;
      deadline = Date.now() + budget;
      // From here the sinks cut backoffs short and start nothing past the deadline, as at exit.
      if (root.shared) root.shared.exitDeadline[0] = deadline;
      const flush = await flushRoot(root, budget);
      if (finishersWillRun(signal)) return;
      // An older copy of logferry listens, and raises the signal right after the flushers.
      root.closed = true;
      reportEnding(flush, signal, budget, Boolean(root.config.spool));
    },
    finisher: {
      startBy: (signalAt) => signalAt + budget - Math.min(budget * FINAL_SHARE, FINAL_SHARE_MAX_MS),
      finish: (signal) => {
        if (root.closed || !root.stream) return;
        const flush = flushRootSync(root, Math.max(0, (deadline || Date.now() + budget) - Date.now()));
        // The signal ends the process without 'exit': this is the last word, and nothing more is flushed.
        root.closed = true;
        reportEnding(flush, signal, budget, Boolean(root.config.spool));
      },
    },
  };
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
