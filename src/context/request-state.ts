import type { IncomingMessage } from 'node:http';
import type { RequestWire } from '../wire/request-tab.js';
import { currentLogContext, runInLogContext } from './log-context.js';

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
  /** process.hrtime.bigint() at the start, for the completion line's duration. */
  readonly startedHr: bigint;
  /** `Express/Connect` or `Fastify`: the severity reason's framework for unhandled errors. */
  readonly framework: string;
  readonly clientIp: () => string | undefined;
  /** The route template, once known (Express matches it after the middleware ran). */
  route: string | undefined;
  /** The request's user, read when a line first needs it. */
  readonly user: () => RequestUser | undefined;
  /** Whether a Bugsnag session was counted for this request. */
  readonly inSession: boolean;
  /** The Bugsnag request tab, built on the first line that needs it. */
  tab: RequestWire | undefined;
  /** Errors (and thrown non-Errors) already reported for this request: each is reported once per request. */
  readonly reported: unknown[];
  /**
   * Errors a framework saw before its error handler chose the response (Fastify's onError):
   * reported when the response ends, and only if it ended as a server error.
   */
  readonly deferredErrors: unknown[];
  /** Set once the completion line is logged (or the request was found to have ended). */
  completed: boolean;
  /** The log context object lines read inside the request; its lazy fields read this state. */
  readonly context: Readonly<Record<string, unknown>>;
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
  return runInLogContext(state.context, fn);
}

/** What `createRequestState` needs; the rest of the state starts empty. */
export type RequestStart = Pick<RequestState, 'id' | 'req' | 'framework' | 'clientIp' | 'route' | 'user' | 'inSession'> & {
  /** Whether lines carry `userId`, `userEmail` and `userName`. */
  withUser: boolean;
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
    startedHr: process.hrtime.bigint(),
    framework: start.framework,
    clientIp: start.clientIp,
    route: start.route,
    user: start.user,
    inSession: start.inSession,
    tab: undefined,
    reported: [],
    deferredErrors: [],
    completed: false,
    context: undefined as unknown as RequestState['context'],
  } satisfies RequestState as RequestState;
  // The route and the user are getters: a nested withLogContext copies them as getters
  // (log-context.ts), so what is learnt later in the request still shows on its lines.
  const own = start.withUser
    ? {
        requestId: start.id,
        method: start.req.method,
        get route() {
          return state.route;
        },
        get userId() {
          return state.user()?.id;
        },
        get userEmail() {
          return state.user()?.email;
        },
        get userName() {
          return state.user()?.name;
        },
        [REQUEST_STATE]: state,
      }
    : {
        requestId: start.id,
        method: start.req.method,
        get route() {
          return state.route;
        },
        [REQUEST_STATE]: state,
      };
  const outer = currentLogContext();
  (state as { context: RequestState['context'] }).context = outer === undefined ? own : withOuter(outer, own);
  (start.req as WithState)[ON_REQUEST] = state;
  return state;
}

/** The fields of an enclosing withLogContext stay; the request's own win. */
function withOuter(outer: Readonly<Record<string, unknown>>, own: Record<string, unknown>): Record<string, unknown> {
  const merged = Object.defineProperties({}, Object.getOwnPropertyDescriptors(outer)) as Record<string, unknown>;
  return Object.defineProperties(merged, Object.getOwnPropertyDescriptors(own));
}
