import type { Logger } from 'pino';
import { withLogContext } from '../context/log-context.js';
import { xrayRootOf } from '../context/xray.js';
import { LogferryConfigError } from '../errors.js';
import type { FlushResult } from '../lifecycle/flush.js';
import { flushLogs } from '../lifecycle/flush-close-stats.js';
import { createLogger } from '../loggers/create-logger.js';
import { linesWrittenCounter } from '../root/destination.js';
import { existingRootState, type RootState } from '../root/state.js';
import { UNHANDLED_FIELD } from '../wire/protocol.js';

// AWS Lambda freezes the process as soon as a handler's result is returned: anything still
// on its way to a sink waits for the next invocation, or is lost with the environment. The
// wrapper delivers what the invocation logged before it hands the result back, and puts the
// invocation's identity on every line (AsyncLocalStorage, so concurrent invocations in one
// process keep their own).

/** The part of Lambda's context object logferry reads (the runtime's object, or @types/aws-lambda's `Context`, fits). */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  /** The function's ARN as invoked (alias or version included); logged as `functionArn` when present. */
  invokedFunctionArn?: string;
  /** The configured memory, a string of megabytes as the runtime gives it; logged as `functionMemorySize`. */
  memoryLimitInMB?: string | number;
  /** The runtime's always has it; a hand-made context may not: the wait is then bounded by the exit timeout alone. */
  getRemainingTimeInMillis(): number;
}

/** An async Lambda handler, as `withLambdaLogging` returns it. */
export type LambdaHandler<TEvent, TResult, TContext extends LambdaContext = LambdaContext> = (
  event: TEvent,
  context: TContext,
) => Promise<TResult>;

/** Options of `withLambdaLogging`. */
export interface LambdaLoggingOptions {
  /**
   * Time kept back from `context.getRemainingTimeInMillis()` for the runtime to send the
   * result: the wait for deliveries ends this long before the function's timeout. Default 500.
   */
  flushMarginMs?: number;
}

/** The fields every line logged during an invocation carries. */
export type LambdaInvocationFields = {
  requestId: string;
  functionName: string;
  functionVersion: string;
  functionArn?: string;
  /** Megabytes, as Powertools logs `function_memory_size`. */
  functionMemorySize?: number;
  /**
   * True on the first invocation of the process only, and never under provisioned concurrency
   * (the environment was initialized ahead of any request), as Powertools decides it.
   */
  coldStart: boolean;
  /** The Root of `_X_AMZN_TRACE_ID`, when it is set. */
  xrayTraceId?: string;
};

const DEFAULT_FLUSH_MARGIN_MS = 500;

let invocationsStarted = 0;
let failureLogger: Logger | undefined;
let undeliveredSaid = false;
/** Per root: the lines-written count up to which every sink has delivered. */
const deliveredThrough = new WeakMap<RootState, number>();

/**
 * Wraps an async Lambda handler: `export const handler = withLambdaLogging(async (event, context) => …)`.
 * Every line logged during an invocation carries `requestId`, `functionName`, `functionVersion`,
 * `coldStart` and `xrayTraceId`; before the result (or the error) is handed back, every sink has
 * delivered what was logged, within the invocation's remaining time less `flushMarginMs`. An
 * error thrown by the handler is logged for Bugsnag as unhandled and thrown again unchanged.
 */
export function withLambdaLogging<TEvent, TResult, TContext extends LambdaContext>(
  handler: (event: TEvent, context: TContext) => TResult | Promise<TResult>,
  options: LambdaLoggingOptions = {},
): LambdaHandler<TEvent, Awaited<TResult>, TContext> {
  checkHandler(handler);
  const marginMs = flushMargin(options);
  return async (event: TEvent, context: TContext): Promise<Awaited<TResult>> => {
    const fields = invocationFields(context);
    // Counting starts before the handler logs, once a root exists, so the end can tell whether anything is pending.
    const root = existingRootState();
    if (root !== undefined) linesWrittenCounter(root);
    let result: Awaited<TResult>;
    try {
      result = await withLogContext(fields, async () => handler(event, context));
    } catch (error) {
      withLogContext(fields, () => logHandlerFailure(error));
      await deliverInvocation(context, marginMs);
      throw error;
    }
    await deliverInvocation(context, marginMs);
    return result;
  };
}

// A callback-style handler would get no callback (the wrapper resolves with undefined at once,
// and the handler crashes later when it calls it), so it is refused when it is wrapped.
function checkHandler(handler: unknown): void {
  if (typeof handler !== 'function') {
    throw new LogferryConfigError(
      'withLambdaLogging handler',
      handler,
      'pass the handler function: withLambdaLogging(async (event, context) => result)',
    );
  }
  if (handler.length >= 3) {
    throw new LogferryConfigError(
      'withLambdaLogging handler',
      `a function of ${handler.length} parameters (event, context, callback)`,
      'callback-style handlers are not supported: make it an async handler, async (event, context) => result, that returns (or throws) instead of calling the callback',
    );
  }
}

function flushMargin(options: LambdaLoggingOptions): number {
  const margin = options.flushMarginMs ?? DEFAULT_FLUSH_MARGIN_MS;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) {
    throw new LogferryConfigError('withLambdaLogging flushMarginMs', margin, 'use a number of milliseconds >= 0');
  }
  return margin;
}

function invocationFields(context: LambdaContext): LambdaInvocationFields {
  const fields: LambdaInvocationFields = {
    requestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    coldStart: ++invocationsStarted === 1 && process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency',
  };
  if (typeof context.invokedFunctionArn === 'string') fields.functionArn = context.invokedFunctionArn;
  const memory = Number(context.memoryLimitInMB);
  if (context.memoryLimitInMB !== undefined && Number.isFinite(memory)) fields.functionMemorySize = memory;
  // Read when the invocation starts: the runtime sets the variable for each invocation.
  const xrayTraceId = xrayRootOf(process.env._X_AMZN_TRACE_ID);
  if (xrayTraceId !== undefined) fields.xrayTraceId = xrayTraceId;
  return fields;
}

function logHandlerFailure(error: unknown): void {
  try {
    failureLogger ??= createLogger('lambda');
    const message = error instanceof Error ? error.message : String(error);
    // The same field an uncaught exception carries, so Bugsnag shows it as unhandled.
    failureLogger.error({ err: error, [UNHANDLED_FIELD]: 'uncaughtException' }, `Lambda handler failed: ${message}`);
  } catch {
    // Logging the failure must never replace the handler's own error.
  }
}

/** Waits until every sink has delivered what was logged so far; returns at once when nothing was logged since the last delivery. */
async function deliverInvocation(context: LambdaContext, marginMs: number): Promise<void> {
  const root = existingRootState();
  if (root === undefined || root.stream === undefined || root.closed) return;
  const { count, startedNow } = linesWrittenCounter(root);
  const written = count();
  if (!startedNow && written === (deliveredThrough.get(root) ?? -1)) return;
  const budgetMs = Math.max(0, Math.min(remainingMs(context) - marginMs, root.config.exitTimeoutMs));
  const flush = await flushLogs(budgetMs);
  // Settled: every line reached its end, delivered or counted as dropped (the sinks say drops themselves).
  if (flush.settled) {
    deliveredThrough.set(root, Math.max(written, deliveredThrough.get(root) ?? -1));
  } else if (!undeliveredSaid) {
    undeliveredSaid = true;
    process.stderr.write(
      `logferry: Lambda invocation ${context.awsRequestId} returned before every line was delivered (waited ${budgetMs} ms): ${unsettled(flush)}; they are sent when the environment runs again (said once)\n`,
    );
  }
}

function unsettled(flush: FlushResult): string {
  return Object.entries(flush.sinks)
    .filter(([, sink]) => !sink.settled)
    .map(([name, sink]) => `${name} (${sink.pending} pending)`)
    .join(', ');
}

/** The invocation's time left; unbounded (the exit timeout then bounds the wait) when the context cannot say. */
function remainingMs(context: LambdaContext): number {
  try {
    const remaining = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Number.NaN;
    return typeof remaining === 'number' && !Number.isNaN(remaining) ? remaining : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
