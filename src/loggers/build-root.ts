import { isMainThread } from 'node:worker_threads';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { appThreadStdout } from '../app-stdout/app-thread-stdout.js';
import { scopedLines } from '../buffer/scoped-lines.js';
import { type Config, loadConfig } from '../config/load-config.js';
import { checkOptionsArgument, mergeOptions } from '../config/merge-options.js';
import { LogferryConfigError } from '../errors.js';
import type { ScopedLines } from '../guard/guarded-level-methods.js';
import { capLineBytes, guardChildren, guardLogMethod, type LogFormatter } from '../guard/log-call-guard.js';
import { boundAppBacklog } from '../handover/app-backlog.js';
import { planSinks } from '../handover/sink-plan.js';
import type { TransportStream } from '../handover/transport-stream.js';
import { locateWorker, withThreadStreamWorker } from '../handover/worker-file.js';
import { startWorkerStream } from '../handover/worker-stream.js';
import { levelValue } from '../levels/level-spec.js';
import { lowestLevel } from '../levels/logger-levels.js';
import { endAfterExitWait, installExitHandling } from '../lifecycle/exit.js';
import { fieldSerializer, type LineEnrichment, lineEnrichment, lineOptions } from '../line/line-enrichment.js';
import { GUARDED_SERIALIZERS } from '../line/plain-line-writer.js';
import type { LogferryOptions, LogLevel } from '../options.js';
import { createKeyMatcher } from '../redact/secret-keys.js';
import { safeNoticeText } from '../redact/text-secrets.js';
import { droppingAfterClose, replaceDestination } from '../root/destination.js';
import { existingRootState, type RootState, setRootState, wasClosedBeforeStart } from '../root/state.js';
import { createSanitizer, DEFAULT_WALK_LIMITS, type Sanitizer } from '../sanitize/sanitizer.js';
import { openSpool } from '../spool/open-spool.js';
import { type SharedState, sharedBufferBytes, viewSharedState } from '../wire/protocol.js';

// The one root logger of the process and the one worker thread behind it, built lazily
// from the Config on first use. Every createLogger() is a child of this root.

let pendingOptions: LogferryOptions | undefined;
/** What built the root, for configureLogging()'s error when it comes too late. */
let builtBy: string | undefined;

/**
 * Overrides what the environment says, setting by setting; only before the first logger exists.
 * A second call merges into the first key by key. The options are checked here, with the
 * environment, so a bad one (`serializers: { user: 'nope' }`) throws its LogferryConfigError at
 * this call rather than at the first logger.
 */
export function configureLogging(options: LogferryOptions): void {
  if (existingRootState() !== undefined) {
    throw new LogferryConfigError(
      'configureLogging',
      options,
      `logferry: configureLogging() was called after ${builtBy ?? 'the first logger was created'}; call configureLogging() once at start-up, before setLogLevel(), the first createLogger() or transactionalLogger call`,
      'message',
    );
  }
  const merged = mergeOptions(pendingOptions ?? {}, checkOptionsArgument(options));
  loadConfig(process.env, merged);
  pendingOptions = merged;
}

/** The root, built on first use; `builder` names the caller in configureLogging()'s too-late error. */
export function rootState(builder = 'the first logger was created'): RootState {
  const existing = existingRootState();
  if (existing !== undefined) return existing;
  const root = buildRoot(loadConfig(process.env, pendingOptions));
  setRootState(root);
  builtBy = builder;
  return root;
}

/**
 * Context and enrichment as pino's log formatter rather than a mixin: with a mixin pino merges
 * (Object.assign by default, calling a throwing getter) and makes two calls per line. A line's own
 * fields arrive sanitized by the logMethod hook (sanitizingOptions).
 */
export function logFormatters(sanitize: Sanitizer): NonNullable<LoggerOptions['formatters']> {
  return lineOptions(sanitize).formatters ?? {};
}

/**
 * What logferry adds to pino's options on the app's thread: the app's serializers and the walk
 * over every call's arguments (logMethod hook, before pino reads them), the context, trace ids
 * and request tab (log formatter, see src/line/line-enrichment.ts), and the per-line cap (streamWrite hook).
 * The benchmarks build their `pino-worker-sanitized` contender from this too.
 */
export function sanitizingOptions(
  sanitize: Sanitizer,
  maxLineBytes: number,
  enrichment: LineEnrichment = {},
  scoped?: ScopedLines,
): Pick<LoggerOptions, 'formatters' | 'hooks' | 'serializers' | 'mixin' | 'mixinMergeStrategy'> {
  return {
    ...lineOptions(sanitize, enrichment),
    hooks: {
      logMethod: guardLogMethod(sanitize, fieldSerializer(enrichment.serializers), scoped),
      streamWrite: capLineBytes(maxLineBytes),
    },
    // Errors arrive serialized by the walk; pino's default err serializer would re-type them as Object.
    serializers: GUARDED_SERIALIZERS,
  };
}

/** The pino options of the root: every call, binding and line goes through the guards. */
function rootOptions(config: Config, sanitize: Sanitizer, enrichment: LineEnrichment): LoggerOptions {
  return {
    level: lowestLevel(config.levels),
    // Buffering and sampling (src/buffer/): level methods below each logger's level that act inside a scope.
    ...sanitizingOptions(sanitize, config.maxLineBytes, enrichment, scopedLines(config.buffer, config.sampleRate)),
    ...(config.base !== undefined ? { base: config.base } : {}),
  };
}

/** A pino logger whose children sanitize their bindings, formatters and serializers. */
function guardedPino(options: LoggerOptions, sanitize: Sanitizer, destination: Parameters<typeof pino>[1]): Logger {
  const logger = pino(options, destination);
  guardChildren(logger, sanitize, (options.formatters as { log: LogFormatter }).log);
  return logger;
}

function buildRoot(config: Config): RootState {
  // The walk bounds what the line cap then has to parse and fit (a 50 MB string is cut to four
  // lines' worth first), and leaves a merely large line whole, so the cap still sees its size.
  const isSecretKey = createKeyMatcher(config.redactKeys);
  const sanitize = createSanitizer(isSecretKey, {
    ...DEFAULT_WALK_LIMITS,
    maxStringChars: 4 * config.maxLineBytes,
    maxTextChars: 8 * config.maxLineBytes,
  });
  const options = rootOptions(config, sanitize, lineEnrichment(config, sanitize, isSecretKey));
  if (wasClosedBeforeStart()) {
    // closeLogs() came first: no worker, no sinks; a line logged says once that it is ignored.
    const logger = guardedPino(options, sanitize, droppingAfterClose());
    return { config, logger, stream: undefined, shared: undefined, sinks: [], nextFlushId: 0, closed: true };
  }
  for (const notice of config.notices) process.stderr.write(`${notice}\n`);

  // A destination of its own: pino's default one would register exit hooks for stdout.
  const silent = guardedPino({ ...options, level: 'silent' }, sanitize, { write: () => undefined });
  if (levelValue(options.level as LogLevel) === Number.POSITIVE_INFINITY) {
    return { config, logger: silent, stream: undefined, shared: undefined, sinks: [], nextFlushId: 0, closed: false };
  }

  const sharedBuffer = new SharedArrayBuffer(sharedBufferBytes());
  const shared = viewSharedState(sharedBuffer);
  const spool = openSpool(config, shared);
  const { routes, sinks } = planSinks(config, { sharedBuffer, exitTimeoutMs: config.exitTimeoutMs }, spool?.wire);
  const root: RootState = {
    config,
    logger: silent,
    stream: undefined,
    shared,
    sinks,
    nextFlushId: 0,
    closed: false,
  };
  if (routes.length === 0) return root;
  // JSON to stdout and nothing else: a worker would only copy each line once more and write it,
  // at the cost of a second isolate. The app's thread writes it (src/app-stdout/app-thread-stdout.ts). Off
  // the main thread fd 1 may be left blocking, so an app's own worker thread keeps the log worker.
  if (routes.length === 1 && routes[0]?.sink === 'stdout' && !config.console?.pretty && isMainThread) {
    installExitHandling(root);
    root.logger = guardedPino(options, sanitize, writeStdoutFromAppThread(root, shared));
    return root;
  }

  const workerFiles = locateWorker();
  if ('missing' in workerFiles) {
    // A transport started from a missing file never answers: flushes and the exit would wait
    // out their bounds. Lines go to stdout, written by this thread; the other sinks are off.
    process.stderr.write(`${workerFiles.missing}\n`);
    installExitHandling(root);
    root.logger = guardedPino(options, sanitize, writeStdoutFromAppThread(root, shared));
    return root;
  }

  // Exit handling is installed before the worker starts, so logferry's wait at exit comes
  // before the worker's end and waits for deliveries while the worker is still up.
  installExitHandling(root);
  spool?.removeWhenSignalFlushed(root);
  let workerStarted = (): void => undefined;
  root.workerReady = new Promise<void>((resolve) => {
    workerStarted = resolve;
  });
  const worker = withThreadStreamWorker(workerFiles.threadStreamWorker, () =>
    startWorkerStream({
      target: workerFiles.target,
      workerData: { routes },
      resourceLimits: WORKER_RESOURCE_LIMITS,
      name: 'logferry',
      endAtExit: endAfterExitWait,
      onReady: () => workerStarted(),
    }),
  );
  // Flush markers and the exit hand-over go through the same stream as pino's lines, so they stay in order.
  const bounded = boundAppBacklog(worker, config.maxAppBacklogBytes);
  // With a spool, a line CloudWatch ships is on disk before it is handed over (docs/spool.md).
  const stream = spool ? spool.inFrontOf(bounded) : bounded;
  root.stream = stream;
  root.logger = guardedPino(options, sanitize, stream);
  watchTransportErrors(root, shared);
  return root;
}

/**
 * The log worker's young generation, capped: left to grow under a burst, it took far more than
 * the lines it held (docs/performance.md#memory); its garbage dies young either way.
 */
const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 8 };

/**
 * From now on the app's thread writes stdout (LOG_LEVEL_CONSOLE still applies) and it is the only
 * sink: flushes and the exit wait for its writes, and its counters continue in the stdout slot.
 */
function writeStdoutFromAppThread(root: RootState, shared: SharedState): TransportStream {
  const config = root.config;
  const stdout = appThreadStdout({
    minLevel: levelValue(config.console?.level ?? 'trace'),
    maxBacklogChars: config.maxAppBacklogBytes,
    shared,
    exitTimeoutMs: config.exitTimeoutMs,
  });
  root.sinks = ['stdout'];
  root.stream = stdout;
  root.workerReady = undefined;
  return stdout;
}

// pino attaches no 'error' listener to its transport, so a worker that dies would crash the
// app on the next log call. Report once, then keep stdout going from the app's thread.
function watchTransportErrors(root: RootState, shared: SharedState): void {
  let reported = false;
  root.stream?.on('error', (error) => {
    if (reported) return;
    reported = true;
    process.stderr.write(
      `logferry: the log worker thread failed (${safeNoticeText(error.message)}); logging to stdout from the app's thread from now on\n`,
    );
    // After closeLogs() nothing is logged any more; otherwise flushes and the exit now wait for stdout only.
    if (root.closed) return;
    replaceDestination(root, writeStdoutFromAppThread(root, shared));
  });
}
