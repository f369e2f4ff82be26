import pino, { type Logger, type LoggerOptions } from 'pino';
import { boundAppBacklog } from './app-backlog.js';
import { appThreadStdout } from './app-thread-stdout.js';
import { type Config, loadConfig } from './config.js';
import { LogferryConfigError } from './errors.js';
import { installExitHandling } from './exit.js';
import { levelValue, lowerLevel } from './levels.js';
import { lineEnrichment, lineOptions } from './log-formatter.js';
import type { LogferryOptions, LogLevel } from './options.js';
import { createKeyMatcher } from './redact-keys.js';
import { createSanitizer, type Sanitizer } from './sanitize.js';
import { isErrorLike } from './serialize-error.js';
import { planSinks } from './sink-routes.js';
import { openSpool } from './spool/open.js';
import { type SharedState, type SinkName, sharedBufferBytes, viewSharedState } from './wire.js';
import { locateWorker, withThreadStreamWorker } from './worker-file.js';

// The one root logger of the process and the one worker thread behind it, built lazily
// from the Config on first use. Every createLogger() is a child of this root.

/** The part of thread-stream's ThreadStream that logferry drives. */
export interface TransportStream {
  write(data: string): boolean;
  flushSync(): void;
  flush(callback: (error?: Error) => void): void;
  end(): void;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'close', listener: () => void): this;
  readonly closed?: boolean;
}

export interface RootState {
  readonly config: Config;
  logger: Logger;
  /** Undefined when nothing is logged at all (the test profile's default). */
  stream: TransportStream | undefined;
  readonly shared: SharedState | undefined;
  readonly sinks: SinkName[];
  nextFlushId: number;
  closed: boolean;
}

let pendingOptions: LogferryOptions | undefined;
let state: RootState | undefined;
/** What built the root, for configureLogging()'s error when it comes too late. */
let builtBy: string | undefined;

/**
 * Overrides what the environment says; only before the first logger exists. The options are
 * checked here, with the environment, so a bad one (`serializers: { user: 'nope' }`) throws
 * its LogferryConfigError at this call rather than at the first logger.
 */
export function configureLogging(options: LogferryOptions): void {
  if (state !== undefined) {
    const error = new LogferryConfigError('configureLogging', options, 'call it before the root logger is built');
    error.message = `logferry: configureLogging() was called after ${builtBy ?? 'the first logger was created'}; call configureLogging() once at start-up, before setLogLevel(), the first createLogger() or transactionalLogger call`;
    throw error;
  }
  const merged = { ...pendingOptions, ...options };
  loadConfig(process.env, merged);
  pendingOptions = merged;
}

/** The root, built on first use; `builder` names the caller in configureLogging()'s too-late error. */
export function rootState(builder = 'the first logger was created'): RootState {
  if (state === undefined) {
    state = buildRoot(loadConfig(process.env, pendingOptions));
    builtBy = builder;
  }
  return state;
}

export function existingRootState(): RootState | undefined {
  return state;
}

/**
 * Context and sanitizing in one step, as pino's log formatter rather than a mixin: with a mixin
 * pino merges (Object.assign by default, calling a throwing getter) and makes two calls per line.
 */
export function logFormatters(sanitize: Sanitizer): NonNullable<LoggerOptions['formatters']> {
  return lineOptions(sanitize).formatters ?? {};
}

function buildRoot(config: Config): RootState {
  const isSecretKey = createKeyMatcher(config.redactKeys);
  const sanitize = createSanitizer(isSecretKey);
  const options: LoggerOptions = {
    level: lowestLevel(config),
    // Serializers, context, trace ids and the request tab: see log-formatter.ts.
    ...lineOptions(sanitize, lineEnrichment(config, sanitize, isSecretKey)),
    ...(config.base !== undefined ? { base: config.base } : {}),
    serializers: { err: (value: unknown) => (isErrorLike(value) ? sanitize({ err: value }).err : value) },
  };
  for (const notice of config.notices) process.stderr.write(`${notice}\n`);

  // A destination of its own: pino's default one would register exit hooks for stdout.
  const silent = pino({ ...options, level: 'silent' }, { write: () => undefined });
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

  const workerFiles = locateWorker();
  if ('missing' in workerFiles) {
    // A transport started from a missing file never answers: flushes and the exit would wait
    // out their bounds. Nothing is waited for; lines go to stdout, written by this thread.
    process.stderr.write(`${workerFiles.missing}\n`);
    const withoutWorker: RootState = { ...root, shared: undefined, sinks: [] };
    installExitHandling(withoutWorker);
    withoutWorker.logger = pino(options, appThreadStdout(levelValue(config.console?.level ?? 'trace')));
    return withoutWorker;
  }

  // Exit handling is installed before pino.transport(), so logferry's 'exit' listener runs
  // before pino's own and can wait for deliveries while the worker is still up.
  installExitHandling(root);
  const worker = withThreadStreamWorker(workerFiles.threadStreamWorker, () =>
    pino.transport({ target: workerFiles.target, options: { routes } }),
  ) as unknown as TransportStream;
  // Flush markers and the exit hand-over go through the same stream as pino's lines, so they stay in order.
  const bounded = boundAppBacklog(worker, config.maxAppBacklogBytes);
  // With a spool, a line CloudWatch ships is on disk before it is handed over (docs/spool.md).
  const stream = spool ? spool.inFrontOf(bounded) : bounded;
  root.stream = stream;
  root.logger = pino(options, stream);
  watchTransportErrors(root);
  return root;
}

/** The logger must let through the most verbose level any module or channel asks for. */
export function lowestLevel(config: Pick<Config, 'levels'>): LogLevel {
  let level = config.levels.root;
  for (const entry of config.levels.modules) level = lowerLevel(level, entry.level);
  return level;
}

// pino attaches no 'error' listener to its transport, so a worker that dies would crash the
// app on the next log call. Report once, then keep stdout going from the app's thread.
function watchTransportErrors(root: RootState): void {
  let reported = false;
  root.stream?.on('error', (error) => {
    if (reported) return;
    reported = true;
    // Nothing can answer a flush any more: flushLogs() and the exit hook must not wait for it.
    root.closed = true;
    process.stderr.write(
      `logferry: the log worker thread failed (${error.message}); logging to stdout from the app's thread from now on\n`,
    );
    const fallback = pino.destination({ dest: 1, sync: true });
    (root.logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = fallback;
  });
}
