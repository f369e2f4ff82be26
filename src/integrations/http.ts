import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestStateOf, runInRequest } from '../context/request-state.js';

export type { RequestUser } from '../context/request-state.js';
export type { CompletionLevelChooser, CompletionLevels } from '../request/completion-line.js';

import { createRequestTracker, type RequestLoggingOptions } from '../request/request-tracker.js';

// logferry/http: request logging for Express and plain node:http, as Connect-style middleware.
// The request logic lives in src/request/request-tracker.ts; this file only reads Express's request.

/**
 * Options of `requestLogging()`. `Req` is the request type your callbacks see:
 * `requestLogging<express.Request>({ getUser: (req) => req.user })`.
 */
export interface HttpRequestLoggingOptions<Req extends IncomingMessage = IncomingMessage> extends RequestLoggingOptions<Req> {
  /**
   * The route template of a request, for servers without Express's router (plain node:http).
   * Default: Express's `req.baseUrl` + `req.route.path` once a route matched; none otherwise.
   */
  route?: (req: Req) => string | undefined;
}

/** A Connect-style middleware: Express, Connect, or `(req, res) => middleware(req, res, () => handle(req, res))`. */
export type RequestLoggingMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Express's error middleware signature. */
export type ErrorLoggingMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

interface ExpressLikeRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
  ip?: string;
}
/** `req.id` as pino-http and other middleware set it. */
type WithId = { id?: unknown };

// errorLogging() finds the request's tracker through the request's state: it is a separate middleware.
type Tracker = ReturnType<typeof createRequestTracker<IncomingMessage>>;
let fallbackTracker: Tracker | undefined;

/**
 * Request logging middleware. Every line logged while a request is handled carries its
 * `requestId` (the incoming `x-request-id` when well-formed, else a new one, echoed in the
 * response), `method`, `route` and user; one completion line follows each request.
 * Put it first: `app.use(requestLogging())`.
 */
export function requestLogging<Req extends IncomingMessage = IncomingMessage>(
  options: HttpRequestLoggingOptions<Req> = {},
): RequestLoggingMiddleware {
  const tracker = createRequestTracker<Req>(options);
  return (req, res, next) => {
    const route = options.route;
    tracker.start(
      {
        request: req as Req,
        raw: req,
        res,
        framework: 'Express/Connect',
        route: route?.(req as Req),
        ...(route ? {} : { watchRoute: (matched: (route: string) => void) => watchExpressRoute(req, matched) }),
        clientIp: () => (req as ExpressLikeRequest).ip ?? req.socket?.remoteAddress,
        existingId: (req as WithId).id,
      },
      () => {
        // As pino-http does: the id is req.id from here on, for the app and any middleware after.
        const state = requestStateOf(req);
        if (state !== undefined && (req as WithId).id === undefined) (req as WithId).id = state.id;
        next();
      },
    );
  };
}

/**
 * Express error middleware: reports the error a handler threw or passed to `next(err)` once,
 * as unhandled (severity reason `unhandledErrorMiddleware`), with the request, then passes it
 * on. Errors with a 4xx `status`/`statusCode` are passed on without a report.
 * Put it after the routes: `app.use(errorLogging())`.
 */
export function errorLogging(): ErrorLoggingMiddleware {
  return (error, req, _res, next) => {
    fallbackTracker ??= createRequestTracker<IncomingMessage>();
    // The tracker that started the request reports its errors; a second one only joined it.
    const owner = requestStateOf(req)?.owner as Tracker | undefined;
    (owner ?? fallbackTracker).reportHandlerError(error, req);
    next(error);
  };
}

/**
 * Runs `fn` in the log context of the request `req`: for a callback a library calls outside it
 * (a connection pool, an event emitter created at start-up), whose lines would otherwise carry
 * no request id. The counterpart of Bugsnag's `runInContext`. Outside a tracked request, `fn`
 * simply runs.
 */
export function runInRequestContext<T>(req: IncomingMessage, fn: () => T): T {
  const state = requestStateOf(req);
  return state === undefined ? fn() : runInRequest(state, fn);
}

/**
 * Express: the mount path and the matched route's path (`/api` + `/orders/:id`), taken when
 * the router sets `req.route`: Express resets `req.baseUrl` on the way out of a mounted
 * router, so by the time an error or the response is logged it may no longer say `/api`.
 * No route until one matched (a 404, or a request without Express).
 */
function watchExpressRoute(req: IncomingMessage, matched: (route: string) => void): void {
  let current: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (route: ExpressLikeRequest['route']) => {
      current = route;
      if (route?.path !== undefined) matched(`${(req as ExpressLikeRequest).baseUrl ?? ''}${String(route.path)}`);
    },
  });
}
