import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { currentLogContext } from '../context/log-context.js';
import { createRequestState, type RequestUser, requestStateOf, runInRequest } from '../context/request-state.js';
import { countSessionStarted, sessionsTracked } from '../context/session-counter.js';
import { createLogger } from '../loggers/create-logger.js';
import { UNHANDLED_FIELD } from '../wire/protocol.js';
import { ERROR_MIDDLEWARE_ORIGIN } from '../wire/request-tab.js';
import { isErrorLike } from '../wire/serialized-error.js';
import { type CompletionOptions, completionLogger } from './completion-line.js';

// What every framework adapter does for a request, once: request id, the log context, the
// Bugsnag request scope and session, one completion line, and the report of an error a
// handler threw. Adapters only translate their framework's request into a RequestHandle.

/** Options shared by `requestLogging()` and the Fastify plugin; `Request` is the framework's request. */
export interface RequestLoggingOptions<Request> extends CompletionOptions<Request> {
  /** Header the request id is read from and echoed in. Default: `x-request-id`. */
  requestIdHeader?: string;
  /**
   * The request's user: `{ id, email, name }` or an id. Read when a line first needs it, so
   * it sees what authentication middleware set later in the chain.
   */
  getUser?: (req: Request) => RequestUser | string | undefined;
  /** Requests to leave alone (no context, no completion line, no session): health checks. */
  ignore?: (req: Request) => boolean;
  /**
   * The request id when the request has none yet (no `req.id`), as pino-http's `genReqId`:
   * `(req, res) => string`. Default: the incoming id header when well-formed, else a new UUID.
   */
  genReqId?: (req: Request, res: ServerResponse) => string | number | undefined;
  /** Module name of the completion and error lines, as LOG_LEVEL names it (`http=warn`). Default: `http`. */
  module?: string;
}

/** One request as an adapter describes it. */
export interface RequestHandle<Request> {
  request: Request;
  raw: IncomingMessage;
  res: ServerResponse;
  framework: string;
  /** The route template when known as the request starts (Fastify), never the raw URL. */
  route: string | undefined;
  /** For a framework that matches later (Express): takes the callback to call once a route matched. */
  watchRoute?: (matched: (route: string) => void) => void;
  clientIp: () => string | undefined;
  /** An id the request already has (`req.id` set by earlier middleware, Fastify's `request.id`): it is kept. */
  existingId?: unknown;
}

/** An incoming id is echoed and logged only when it looks like an id, not like an injection. */
const WELL_FORMED_ID = /^[A-Za-z0-9._~:@+=/-]{1,128}$/;

/** Whether an id a client sent (a header) may be logged and echoed as the request id. */
export function isWellFormedRequestId(id: unknown): id is string {
  return typeof id === 'string' && WELL_FORMED_ID.test(id);
}

/** The errors reported for a request no request logger tracks (errorLogging() alone). */
const REPORTED: unique symbol = Symbol.for('logferry.reportedErrors');
type WithReported = IncomingMessage & { [REPORTED]?: unknown[] };

/** The shared request logic, configured once per middleware or plugin instance. */
export function createRequestTracker<Request>(options: RequestLoggingOptions<Request> = {}) {
  const header = (options.requestIdHeader ?? 'x-request-id').toLowerCase();

  let log: Logger | undefined;
  const logger = (): Logger => {
    log ??= createLogger(options.module ?? 'http');
    return log;
  };
  const logCompletion = completionLogger(options, logger);

  /**
   * Runs `next` inside the request's context; the completion line is logged when the response
   * ends. A request another tracker (a second middleware, a mounted sub-app) already tracks is
   * joined: one id, one session, one completion line.
   */
  function start(handle: RequestHandle<Request>, next: () => void): void {
    const joined = requestStateOf(handle.raw);
    if (joined !== undefined) {
      runInRequest(joined, next);
      return;
    }
    if (isIgnored(handle.request)) {
      next();
      return;
    }
    // The root (and with it the Bugsnag sink's session counter) exists before the first request's
    // session is counted, even in an app that has created no logger of its own yet.
    logger();
    const { raw, res } = handle;
    const requestId = requestIdOf(handle);
    if (!res.headersSent) res.setHeader(header, requestId);
    const inSession = sessionsTracked();
    if (inSession) countSessionStarted();
    const state = createRequestState({
      id: requestId,
      req: raw,
      framework: handle.framework,
      owner: tracker,
      clientIp: handle.clientIp,
      route: handle.route,
      user: () => readUser(handle.request),
      inSession,
      withUser: options.getUser !== undefined,
      routeLater: handle.watchRoute !== undefined,
    });
    handle.watchRoute?.((route) => {
      state.route = route;
    });
    const complete = (): void => {
      if (state.completed) return;
      state.completed = true;
      // pino-http's rule: a request the server or client destroyed, or whose response never ended, was aborted.
      const aborted = raw.readableAborted === true || !res.writableFinished;
      for (const error of state.deferredErrors ?? []) reportHandlerError(error, raw, !aborted && res.statusCode < 500);
      const durationMs = Math.round((performance.now() - state.startedMs) * 100) / 100;
      const done = { request: handle.request, raw, res, durationMs, aborted };
      // 'close' usually fires in the request's own context already: entering it again costs an AsyncLocalStorage run.
      if (currentLogContext() === state.context) logCompletion(done);
      else runInRequest(state, () => logCompletion(done));
    };
    // 'close' follows every response, finished or not (after 'finish' when it finished): one listener is enough.
    res.on('close', complete);
    runInRequest(state, next);
  }

  /** An id the request already has, else genReqId's, else a well-formed incoming header, else a new UUID. */
  function requestIdOf(handle: RequestHandle<Request>): string {
    const existing = handle.existingId;
    if ((typeof existing === 'string' && existing !== '') || typeof existing === 'number') return String(existing);
    if (options.genReqId) {
      const generated = generatedId(handle);
      if (generated !== undefined) return generated;
    }
    const incoming = handle.raw.headers[header];
    return isWellFormedRequestId(incoming) ? incoming : randomUUID();
  }

  function generatedId(handle: RequestHandle<Request>): string | undefined {
    try {
      const id = options.genReqId?.(handle.request, handle.res);
      if ((typeof id === 'string' && id !== '') || typeof id === 'number') return String(id);
    } catch {
      // A throwing genReqId costs the request its custom id, never the request.
    }
    return undefined;
  }

  // getUser runs when a line first needs the user, and once it names one, never again for that request.
  const users = new WeakMap<object, RequestUser>();
  function readUser(request: Request): RequestUser | undefined {
    const known = users.get(request as object);
    if (known !== undefined) return known;
    let user: RequestUser | undefined;
    try {
      const found = options.getUser?.(request);
      user = typeof found === 'string' ? { id: found } : (found ?? undefined);
    } catch {
      // A throwing getUser costs the line its user, never the line.
    }
    if (user !== undefined) users.set(request as object, user);
    return user;
  }

  /**
   * Reports an error a handler threw, once per request, as unhandled: called from Express's
   * error middleware or Fastify's onError. Client errors (a status below 500) are not reported.
   * The same Error object thrown by another request (a module-level constant, a cached
   * rejected promise) is that request's error, and is reported again.
   */
  function reportHandlerError(error: unknown, raw: IncomingMessage, clientError?: boolean): void {
    const state = requestStateOf(raw);
    if (state !== undefined) state.reported ??= [];
    const seen = state?.reported ?? reportedWithoutState(raw);
    if (seen.includes(error)) return;
    seen.push(error);
    const forClient = clientError ?? (typeof error === 'object' && error !== null && isClientError(error));
    const fields: Record<string, unknown> = isErrorLike(error) ? { err: error } : { err: invalidError(state?.framework), thrown: error };
    // A client error is the request's outcome, not a failure: its message at info, as Fastify logs it; never an event.
    if (!forClient) fields[UNHANDLED_FIELD] = ERROR_MIDDLEWARE_ORIGIN;
    const message = forClient ? clientErrorMessage(error) : 'request handler failed';
    const report = () => (forClient ? logger().info(fields, message) : logger().error(fields, message));
    if (state) runInRequest(state, report);
    else report();
  }

  /**
   * For a framework whose error hook runs before the app's error handler picks the status
   * (Fastify 5's onError before setErrorHandler): the error is reported when the response
   * ends, if it ended as a server error (or never ended). An error mapped to a 4xx is not.
   */
  function deferHandlerError(error: unknown, raw: IncomingMessage): void {
    const state = requestStateOf(raw);
    if (state === undefined || state.completed) reportHandlerError(error, raw);
    else {
      state.deferredErrors ??= [];
      if (!state.deferredErrors.includes(error)) state.deferredErrors.push(error);
    }
  }

  function isIgnored(request: Request): boolean {
    try {
      return options.ignore?.(request) === true;
    } catch {
      return false;
    }
  }

  const tracker = { start, reportHandlerError, deferHandlerError };
  return tracker;
}

/**
 * What @bugsnag/plugin-express reports for a thrown non-Error (a string, a plain object): an
 * `InvalidError` naming the framework; the value itself is logged beside it as `thrown`.
 */
function invalidError(framework = 'Express/Connect'): Error {
  const error = new Error(`${framework} handler threw a non-error. See "thrown" in the log tab for the value`);
  error.name = 'InvalidError';
  return error;
}

function reportedWithoutState(raw: IncomingMessage): unknown[] {
  const holder = raw as WithReported;
  holder[REPORTED] ??= [];
  return holder[REPORTED];
}

function clientErrorMessage(error: unknown): string {
  const message = isErrorLike(error) ? error.message : undefined;
  return typeof message === 'string' && message !== '' ? message : 'request failed with a client error';
}

function isClientError(error: object): boolean {
  const status = (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
