import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { currentLogContext, runInLogContext } from '../context/log-context.js';
import { censorQuery, REQUEST_SCOPE, type RequestScope, requestPath } from '../context/request-scope.js';
import { countSessionStarted, sessionsTracked } from '../context/session-counter.js';
import { LogferryConfigError } from '../errors.js';
import { rootState } from '../loggers/build-root.js';
import { createLogger } from '../loggers/create-logger.js';
import { createKeyMatcher, type KeyMatcher } from '../redact/secret-keys.js';
import { LEVELS, type LevelName, UNHANDLED_FIELD } from '../wire/protocol.js';
import { COMPLETION_FIELD, ERROR_MIDDLEWARE_ORIGIN } from '../wire/request-tab.js';

// What every framework adapter does for a request, once: request id, the log context, the
// Bugsnag request scope and session, one completion line, and the report of an error a
// handler threw. Adapters only translate their framework's request into a RequestHandle.

/** The user of a request, as Bugsnag shows it (logged as `userId`, `userEmail`, `userName`). */
export interface RequestUser {
  id?: string;
  email?: string;
  name?: string;
}

/** Levels of the completion line. */
export interface CompletionLevels {
  /** Responses below 500. Default: `info`. */
  success?: LevelName;
  /** 5xx responses. Default: `error`. */
  serverError?: LevelName;
  /** Requests the client aborted before the response was sent. Default: `info`. */
  aborted?: LevelName;
}

/** Options shared by `requestLogging()` and the Fastify plugin; `Request` is the framework's request. */
export interface RequestLoggingOptions<Request> {
  /** Header the request id is read from and echoed in. Default: `x-request-id`. */
  requestIdHeader?: string;
  /**
   * The request's user: `{ id, email, name }` or an id. Read when a line first needs it, so
   * it sees what authentication middleware set later in the chain.
   */
  getUser?: (req: Request) => RequestUser | string | undefined;
  /** Requests to leave alone (no context, no completion line, no session): health checks. */
  ignore?: (req: Request) => boolean;
  /** Levels of the completion line. */
  levels?: CompletionLevels;
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
}

/** An incoming id is echoed and logged only when it looks like an id, not like an injection. */
const WELL_FORMED_ID = /^[A-Za-z0-9._~:@+=/-]{1,128}$/;

interface TrackedRequest {
  scope: RequestScope;
  context: Readonly<Record<string, unknown>>;
}

/** Where a request keeps its tracking, for the error handler that runs outside its context. */
const TRACKED: unique symbol = Symbol('logferry.trackedRequest');
/** The errors already reported for a request, whichever tracker reported them. */
const REPORTED: unique symbol = Symbol.for('logferry.reportedErrors');
type WithTracking = IncomingMessage & { [TRACKED]?: TrackedRequest; [REPORTED]?: unknown[] };

/** The shared request logic, configured once per middleware or plugin instance. */
export function createRequestTracker<Request>(options: RequestLoggingOptions<Request> = {}) {
  const header = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
  const levels: Required<CompletionLevels> = {
    success: completionLevel('success', options.levels?.success ?? 'info'),
    serverError: completionLevel('serverError', options.levels?.serverError ?? 'error'),
    aborted: completionLevel('aborted', options.levels?.aborted ?? 'info'),
  };
  const reported = new WeakSet<object>();
  let log: Logger | undefined;
  let isSecretKey: KeyMatcher | undefined;
  const logger = (): Logger => {
    log ??= createLogger(options.module ?? 'http');
    return log;
  };

  /** Runs `next` inside the request's context; the completion line is logged when the response ends. */
  function start(handle: RequestHandle<Request>, next: () => void): void {
    if (isIgnored(handle.request)) {
      next();
      return;
    }
    const { raw, res } = handle;
    const incoming = raw.headers[header];
    const requestId = typeof incoming === 'string' && WELL_FORMED_ID.test(incoming) ? incoming : randomUUID();
    if (!res.headersSent) res.setHeader(header, requestId);

    const inSession = sessionsTracked();
    if (inSession) countSessionStarted();
    const scope: RequestScope = {
      req: raw,
      startedAt: Date.now(),
      framework: handle.framework,
      clientIp: handle.clientIp,
      inSession,
      tab: undefined,
    };
    const context = contextFields(handle, requestId, scope);
    const entry: TrackedRequest = { scope, context };
    (raw as WithTracking)[TRACKED] = entry;
    const startedAt = process.hrtime.bigint();
    let completed = false;
    const complete = (aborted: boolean): void => {
      if (completed) return;
      completed = true;
      const durationMs = Math.round(Number(process.hrtime.bigint() - startedAt) / 1e4) / 100;
      within(entry, () => logCompletion(raw, res, durationMs, aborted));
    };
    res.once('finish', () => complete(false));
    res.once('close', () => complete(!res.writableFinished));
    within(entry, next);
  }

  function contextFields(handle: RequestHandle<Request>, requestId: string, scope: RequestScope): Record<string, unknown> {
    // Fields of an enclosing withLogContext (a service name…) stay; the request's win.
    const fields: Record<string, unknown> = { ...currentLogContext(), requestId, method: handle.raw.method };
    (fields as Record<symbol, unknown>)[REQUEST_SCOPE] = scope;
    // The context object itself is the store lines read (runInLogContext), so a route matched later shows from then on.
    if (handle.route !== undefined) fields.route = handle.route;
    handle.watchRoute?.((route) => {
      fields.route = route;
    });
    if (options.getUser) defineUserFields(fields, () => readUser(handle.request));
    return fields;
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

  function logCompletion(raw: IncomingMessage, res: ServerResponse, durationMs: number, aborted: boolean): void {
    const root = rootState();
    isSecretKey ??= createKeyMatcher(root.config.redactKeys);
    const statusCode = res.statusCode;
    const level = aborted ? levels.aborted : statusCode >= 500 ? levels.serverError : levels.success;
    const line: Record<string, unknown> = { url: censorQuery(requestPath(raw), isSecretKey) };
    // An aborted request's res.statusCode is only the default (200) unless headers went out.
    if (!aborted || res.headersSent) line.statusCode = statusCode;
    line.durationMs = durationMs;
    line[COMPLETION_FIELD] = true;
    if (aborted) line.aborted = true;
    logger()[level](line, aborted ? 'request aborted' : 'request completed');
  }

  /**
   * Reports an error a handler threw, once, as unhandled: called from Express's error
   * middleware or Fastify's onError. Client errors (a status below 500) are not reported.
   */
  function reportHandlerError(error: unknown, raw: IncomingMessage): void {
    if (typeof error === 'object' && error !== null) {
      if (reported.has(error) || isClientError(error)) return;
      reported.add(error);
    }
    // A thrown string or number cannot go in a WeakSet: the request remembers what it reported,
    // so a second errorLogging() (or another tracker's) passes the same value on unreported.
    const tracking = raw as WithTracking;
    const seen = tracking[REPORTED] ?? [];
    if (seen.includes(error)) return;
    seen.push(error);
    tracking[REPORTED] = seen;
    const entry = (raw as WithTracking)[TRACKED];
    const report = () => logger().error({ err: error, [UNHANDLED_FIELD]: ERROR_MIDDLEWARE_ORIGIN }, 'request handler failed');
    if (entry) within(entry, report);
    else report();
  }

  function isIgnored(request: Request): boolean {
    try {
      return options.ignore?.(request) === true;
    } catch {
      return false;
    }
  }

  return { start, reportHandlerError };
}

/** Runs `fn` in the request's own context, whatever context the event that calls it fired in. */
function within(entry: TrackedRequest, fn: () => void): void {
  runInLogContext(entry.context, fn);
}

function completionLevel(name: keyof CompletionLevels, level: unknown): LevelName {
  if (typeof level === 'string' && Object.hasOwn(LEVELS, level)) return level as LevelName;
  throw new LogferryConfigError(`requestLogging levels.${name}`, level, `use one of ${Object.keys(LEVELS).join(', ')}`);
}

function defineUserFields(fields: Record<string, unknown>, user: () => RequestUser | undefined): void {
  const names: Array<[string, keyof RequestUser]> = [
    ['userId', 'id'],
    ['userEmail', 'email'],
    ['userName', 'name'],
  ];
  for (const [field, key] of names) Object.defineProperty(fields, field, { enumerable: true, get: () => user()?.[key] });
}

function isClientError(error: object): boolean {
  const status = (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
