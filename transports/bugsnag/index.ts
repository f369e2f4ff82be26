import { pathToFileURL } from 'node:url';
import { readPrefixLevel } from '../../src/wire/line-prefix.js';
import { LEVELS, type SinkWireOptions, viewSharedState } from '../../src/wire/protocol.js';
import { COMPLETION_FIELD } from '../../src/wire/request-tab.js';
import type { ResolvedBugsnag } from '../../src/wire/sink-options.js';
import { createSinkReporter, receivedLineCounter } from '../../src/wire/sink-reporter.js';
import { closeBudgetMs, type LineHandlers } from '../shared/line-source.js';
import { BugsnagDelivery } from './delivery.js';
import { buildEvent, type LogLine } from './event.js';
import { createNotifier, type OnErrorHook } from './notifier.js';
import { GroupRateLimiter } from './rate-limit.js';
import { RequestBreadcrumbs, requestIdOfLine } from './request-breadcrumbs.js';
import { applyRules, compileRules } from './rules.js';
import { SessionTracker } from './session-tracker.js';

const COMPLETION_MARK = `"${COMPLETION_FIELD}":true`;

/** Options the app's thread sends this sink. */
export type BugsnagSinkOptions = ResolvedBugsnag &
  SinkWireOptions & {
    redactKeyPatterns: string[];
    /** The app's count of started sessions (src/context/session-counter.ts). */
    sessionCounter: SharedArrayBuffer;
  };

/** The Bugsnag sink, run in the log worker thread behind the router. */
export function createBugsnagSink(options: BugsnagSinkOptions): LineHandlers {
  const reporter = createSinkReporter(options.sharedBuffer, 'bugsnag');
  const countReceivedLine = receivedLineCounter(viewSharedState(options.sharedBuffer), 'bugsnag', false);
  const breadcrumbs = new RequestBreadcrumbs(options.maxBreadcrumbs);
  const rules = compileRules(options.rules);
  const limiter = new GroupRateLimiter(options.maxEventsPerMinutePerGroup);
  const notifyLevel = LEVELS[options.level];

  let onErrorHook: OnErrorHook | undefined;
  const hookLoaded = loadOnErrorModule(options.onErrorModule).then((hook) => {
    onErrorHook = hook;
  });
  const notifier = createNotifier(options, () => onErrorHook);
  const delivery = new BugsnagDelivery(
    notifier,
    reporter,
    { maxQueuedEvents: options.maxQueuedEvents, concurrency: 4, requestTimeoutMs: options.requestTimeoutMs },
    hookLoaded,
  );
  const sessions = new SessionTracker(options.sessionCounter, notifier.sendSessions, reporter, 10_000);

  return {
    onLine(line, span, prefixLevel) {
      // A line that does not start as pino writes lines is reported: its text rather than lose it.
      const read = prefixLevel ?? readPrefixLevel(line);
      const level = read >= 0 ? read : LEVELS.error;
      if (level < notifyLevel) {
        const requestId = breadcrumbs.add(line, span?.chunkNumber);
        // The request is over: its breadcrumbs go with it.
        if (requestId !== undefined && line.includes(COMPLETION_MARK)) breadcrumbs.end(requestId);
        return;
      }
      countReceivedLine();
      const parsed = parseLine(line, level);
      // A completion line is the request's access log: its error, if any, is reported by itself.
      if (parsed[COMPLETION_FIELD] === true) {
        breadcrumbs.end(breadcrumbs.add(line, span?.chunkNumber));
        reporter.add('suppressed');
        return;
      }
      const event = applyRules(rules, buildEvent(parsed));
      if (!event) {
        reporter.add('suppressed');
        return;
      }
      const admission = limiter.admit(event.groupKey, Date.now());
      if (!admission.send) {
        reporter.add('suppressed');
        return;
      }
      if (admission.suppressedBefore > 0)
        (event.metadata.log as Record<string, unknown>).suppressedSimilarEvents = admission.suppressedBefore;
      if (event.session) event.session.events = sessions.countEvent(event.session.id, event.unhandled);
      delivery.enqueue(event, breadcrumbs.snapshot(requestIdOf(parsed, line)));
    },
    // Sessions started before the marker are sent first, so a flush (and exit) covers them too.
    onFlush: (flushId) => void sessions.flush().then(() => delivery.markFlush(flushId)),
    close: async () => {
      const budgetMs = closeBudgetMs(reporter.exitDeadline(), options.exitTimeoutMs);
      await Promise.all([sessions.close(budgetMs), delivery.close(budgetMs)]);
    },
    onError: (error) => reporter.error(`Bugsnag sink: ${(error as Error).message}`),
  };
}

/** The line's top-level requestId, read as its breadcrumbs were keyed when it is a string. */
function requestIdOf(parsed: LogLine, line: string): string | undefined {
  return typeof parsed.requestId === 'string' ? requestIdOfLine(line) : undefined;
}

function parseLine(line: string, level: number): LogLine {
  try {
    const parsed = JSON.parse(line) as LogLine;
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // Not JSON: report the text itself rather than lose it.
  }
  return { level, msg: line.slice(0, 10_000) };
}

/** The app's onError module: its default export (or `onError`) runs on each event before it is sent. */
async function loadOnErrorModule(path: string | undefined): Promise<OnErrorHook | undefined> {
  if (!path) return undefined;
  try {
    const url = path.startsWith('file:') ? path : pathToFileURL(path).href;
    const loaded = (await import(url)) as { default?: unknown; onError?: unknown };
    const hook = typeof loaded.default === 'function' ? loaded.default : loaded.onError;
    if (typeof hook !== 'function') throw new Error('it exports no function (default export or onError)');
    return hook as OnErrorHook;
  } catch (error) {
    process.stderr.write(
      `logferry: Bugsnag onErrorModule ${path} could not be used: ${(error as Error).message}; events are sent without it\n`,
    );
    return undefined;
  }
}
