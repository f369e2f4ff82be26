import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestWire } from '../wire/request-tab.js';
import { ContextFrame, currentLogContext, layeredContext, runInContextFrame } from './log-context.js';
import { LOG_SCOPE, type LogScope } from './log-scope.js';

// Everything logferry keeps about one HTTP request, in one object owned by the request: every
// middleware, plugin instance, mounted sub-app or nested withLogContext that sees the request
// finds the same state, so a request has one id, one session, one completion line and one
// list of reported errors, whoever handles it. It is reached two ways: from the request
// object (under a symbol, for hooks that run outside the request's async context) and from the
// log context (under another symbol, for lines). Later per-request features (log buffering)
// hang their own fields here.

/** The user of a request, as Bugsnag shows it (logged as `userId`, `userEmail`, `userName`). */
export interface RequestUser {
  id?: string;
  email?: string;
  name?: string;
}

/** The state of one tracked request; see the module comment. */
export interface RequestState {
  /** The request id every line carries as `requestId`, echoed in the response header. */
  readonly id: string;
  readonly req: IncomingMessage;
  /** Epoch ms, for the Bugsnag session's start. */
  readonly startedAt: number;
  /** performance.now() at the start, for the completion line's duration. */
  readonly startedMs: number;
  /** `Express/Connect` or `Fastify`: the severity reason's framework for unhandled errors. */
  readonly framework: string;
  /** The request logger instance that started the request: its options rule the completion and error lines. */
  readonly owner: object;
  readonly clientIp: () => string | undefined;
  /** The route template, once known (Express matches it after the middleware ran). */
  route: string | undefined;
  /** The request's user, read when a line first needs it. */
  readonly user: () => RequestUser | undefined;
  /** Whether a Bugsnag session was counted for this request. */
  readonly inSession: boolean;
  /** The Bugsnag request tab, built on the first line that needs it. */
  tab: RequestWire | undefined;
  /** Errors (and thrown non-Errors) already reported for this request: each is reported once per request. Made on the first. */
  reported: unknown[] | undefined;
  /**
   * Errors a framework saw before its error handler chose the response (Fastify's onError):
   * reported when the response ends, and only if it ended as a server error.
   */
  deferredErrors: unknown[] | undefined;
  /** The request's buffering scope (held lines, sampling), when buffering or sampling is on. */
  readonly scope: LogScope | undefined;
  /** Set once the completion line is logged (or the request was found to have ended). */
  completed: boolean;
  /** The log context object lines read inside the request; its lazy fields read this state. */
  readonly context: Readonly<Record<string, unknown>>;
  /** The frame the request's context runs in, entered again by each hook of the request. */
  readonly frame: ContextFrame;
}

/** The context key of the request state. */
export const REQUEST_STATE: unique symbol = Symbol('logferry.requestState');
/** The request object's key of its state; shared by copies of logferry in one process. */
const ON_REQUEST = Symbol.for('logferry.requestState.v1');

type WithState = IncomingMessage & { [ON_REQUEST]?: RequestState };
type StateContext = Record<string, unknown> & { [REQUEST_STATE]: RequestState };

/** The state of the request `req`, when a request logger tracks it. */
export function requestStateOf(req: IncomingMessage): RequestState | undefined {
  return (req as WithState)[ON_REQUEST];
}

/** The state of the request the current line is logged in, or undefined outside one. */
export function currentRequestState(): RequestState | undefined {
  return (currentLogContext() as StateContext | undefined)?.[REQUEST_STATE];
}

/** Runs `fn` in the request's own context, whatever context the event that calls it fired in. */
export function runInRequest<T>(state: RequestState, fn: () => T): T {
  return runInContextFrame(state.frame, fn);
}

/** What `createRequestState` needs; the rest of the state starts empty. */
export type RequestStart = Pick<
  RequestState,
  'id' | 'req' | 'framework' | 'owner' | 'clientIp' | 'route' | 'user' | 'inSession' | 'scope'
> & {
  /** Whether lines carry `userId`, `userEmail` and `userName`. */
  withUser: boolean;
  /** Whether the route is learnt later (Express matches after the middleware): then it is read per line. */
  routeLater: boolean;
};

/**
 * Creates the state of a request and attaches it to the request object. The context keeps
 * the fields of an enclosing withLogContext; the request's own fields win.
 */
export function createRequestState(start: RequestStart): RequestState {
  const state = {
    id: start.id,
    req: start.req,
    startedAt: Date.now(),
    startedMs: performance.now(),
    framework: start.framework,
    owner: start.owner,
    clientIp: start.clientIp,
    route: start.route,
    user: start.user,
    inSession: start.inSession,
    tab: undefined,
    reported: undefined,
    deferredErrors: undefined,
    scope: start.scope,
    completed: false,
    context: undefined as unknown as RequestState['context'],
    frame: undefined as unknown as ContextFrame,
  } satisfies RequestState as RequestState;
  // The route (when learnt later) and the user are getters: a nested withLogContext copies them
  // as getters (log-context.ts), so what is learnt later in the request still shows on its lines.
  // Only what can change is a getter: a plain data context is cheaper for every line to copy.
  const own: Record<string | symbol, unknown> = { requestId: start.id, method: start.req.method };
  if (start.routeLater) {
    Object.defineProperty(own, 'route', { enumerable: true, configurable: true, get: () => state.route });
  } else if (start.route !== undefined) own.route = start.route;
  if (start.withUser) {
    Object.defineProperties(own, {
      userId: { enumerable: true, configurable: true, get: () => state.user()?.id },
      userEmail: { enumerable: true, configurable: true, get: () => state.user()?.email },
      userName: { enumerable: true, configurable: true, get: () => state.user()?.name },
    });
  }
  own[REQUEST_STATE] = state;
  if (start.scope !== undefined) {
    own[LOG_SCOPE] = start.scope;
    // Powertools' sampleRateValue: every line of a sampled request says so.
    if (start.scope.sampled) own.sampled = true;
  }
  const outer = currentLogContext();
  const context = layeredContext(outer, own);
  (state as { context: RequestState['context'] }).context = context;
  (state as { frame: ContextFrame }).frame = new ContextFrame(context);
  (start.req as WithState)[ON_REQUEST] = state;
  return state;
}
