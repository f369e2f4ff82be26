import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type KeyMatcher, REDACTED } from '../redact/secret-keys.js';
import { censorUrlSecrets, isSecretQueryKeyMemo } from '../redact/text-secrets.js';
import type { Sanitizer } from '../sanitize/sanitizer.js';
import type { RequestWire } from '../wire/request-tab.js';
import { currentRequestState, type RequestState } from './request-state.js';

// The Bugsnag request tab of the request a line is logged in (request-state.ts), built once per
// request, on the first line at the Bugsnag sink's level, with the root's redaction rules.

/** Reads the current request's tab, building it on first use with the root's redaction rules. */
export function requestTabReader(sanitize: Sanitizer, isSecretKey: KeyMatcher): () => RequestWire | undefined {
  return () => {
    const scope = currentRequestState();
    if (scope === undefined) return undefined;
    scope.tab ??= buildRequestTab(scope, sanitize, isSecretKey);
    return scope.tab;
  };
}

/** The request tab as @bugsnag/plugin-express fills it: url, httpMethod, headers, clientIp, referer. */
export function buildRequestTab(
  scope: Pick<RequestState, 'req' | 'startedAt' | 'framework' | 'clientIp' | 'inSession'>,
  sanitize: Sanitizer,
  isSecretKey: KeyMatcher,
): RequestWire {
  const { req } = scope;
  const headers = sanitize({ ...req.headers });
  const referer = req.headers.referer ?? req.headers.referrer;
  const tab: RequestWire = {
    url: censorUrl(fullUrl(req), isSecretKey),
    httpMethod: req.method ?? 'GET',
    headers: { ...headers, ...censoredReferers(headers, isSecretKey) },
    framework: scope.framework,
  };
  const clientIp = scope.clientIp();
  if (clientIp !== undefined) tab.clientIp = clientIp;
  if (typeof referer === 'string') tab.referer = censorUrl(referer, isSecretKey);
  if (scope.inSession) tab.session = { id: randomUUID(), startedAt: new Date(scope.startedAt).toISOString() };
  return tab;
}

/** The Referer header (and its misspelling) with secret query values censored, as the URL is. */
function censoredReferers(headers: Record<string, unknown>, isSecretKey: KeyMatcher): Record<string, string> {
  const censored: Record<string, string> = {};
  for (const name of ['referer', 'referrer']) {
    const value = headers[name];
    if (typeof value === 'string') censored[name] = censorUrl(value, isSecretKey);
  }
  return censored;
}

/** A URL as the tab shows it: userinfo (also of a URL inside the query) and secret parameters censored. */
function censorUrl(url: string, isSecretKey: KeyMatcher): string {
  return censorQuery(censorUrlSecrets(url, isSecretKey), isSecretKey);
}

/** The path and query as the client sent them (Express rewrites `req.url` inside mounted routers). */
export function requestPath(req: IncomingMessage): string {
  const original = (req as { originalUrl?: unknown }).originalUrl;
  return typeof original === 'string' ? original : (req.url ?? '/');
}

function fullUrl(req: IncomingMessage): string {
  const protocol = (req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http';
  const host = req.headers.host ?? 'localhost';
  return `${protocol}://${host}${requestPath(req)}`;
}

/**
 * The URL with the values of secret query parameters censored, by the same key rules as
 * fields (`?token=`, `?api_key[0]=`, `?user[password][]=`). Everything else is kept as sent.
 */
export function censorQuery(url: string, isSecretKey: KeyMatcher): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const hashAt = url.indexOf('#', queryAt);
  const end = hashAt < 0 ? url.length : hashAt;
  // One pass over the parameters; a copy is made only from the first secret one on.
  let out: string | undefined;
  let copiedTo = 0;
  for (let start = queryAt + 1; start <= end; ) {
    let partEnd = url.indexOf('&', start);
    if (partEnd < 0 || partEnd > end) partEnd = end;
    const eq = url.indexOf('=', start);
    if (eq >= 0 && eq < partEnd && isSecretQueryKeyMemo(url.slice(start, eq), isSecretKey)) {
      out = `${out ?? ''}${url.slice(copiedTo, eq + 1)}${REDACTED}`;
      copiedTo = partEnd;
    }
    start = partEnd + 1;
  }
  return out === undefined ? url : `${out}${url.slice(copiedTo)}`;
}
