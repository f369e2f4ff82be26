// Whether a failed request may still have been processed by the endpoint. Neither PutLogEvents
// nor Bugsnag's notify API is idempotent, so sending such a request again can store it twice:
// logferry still sends it (a duplicate is better than a loss) and counts the possible copies.

/** Failures before the request could leave: the endpoint cannot have seen it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
const NOT_SENT_MESSAGE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|did not establish a connection/;

/**
 * True for a failure without an HTTP answer after the connection was made (reset, hang-up,
 * timeout): the endpoint may have stored the request. `answeredStatus` is the HTTP status of the
 * failure, as the caller's client reports it; an answered failure stored nothing.
 */
export function mayHaveArrived(error: unknown, answeredStatus: number | undefined): boolean {
  if (answeredStatus !== undefined) return false;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  if (NOT_SENT_CODES.has(String(failure.code ?? ''))) return false;
  return !NOT_SENT_MESSAGE.test(String(failure.message ?? error));
}
