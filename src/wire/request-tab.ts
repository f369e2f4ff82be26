// What a line logged inside a request tells the Bugsnag sink, across the thread boundary.
// Plain constants and types only: the worker imports this module too.

/**
 * Reserved field. Lines at the Bugsnag sink's level or above, logged inside a request that
 * request logging tracks, carry it; the Bugsnag sink turns it into the event's request tab and
 * session and leaves it out of the metadata. Other sinks keep it as it is: it is on those
 * few lines only, with secret headers and query parameters already censored.
 */
export const REQUEST_FIELD = 'httpRequest';

/** The value of REQUEST_FIELD. */
export interface RequestWire {
  /** Full URL, secret query parameter values censored. */
  url: string;
  httpMethod: string;
  /** Request headers, secret ones censored. */
  headers: Record<string, unknown>;
  clientIp?: string;
  referer?: string;
  /** The Bugsnag session of this request. */
  session?: { id: string; startedAt: string };
  /** Which framework's error handler reported an unhandled error (`Express/Connect`, `Fastify`). */
  framework?: string;
}

/**
 * Set on request completion lines. The Bugsnag sink never reports them as events: a failed
 * request's error is reported by the error handler or the app's own log call, once.
 */
export const COMPLETION_FIELD = 'requestCompleted';

/** The unhandled-origin value of the line that reports an error a framework's error handler caught. */
export const ERROR_MIDDLEWARE_ORIGIN = 'unhandledErrorMiddleware';
