// What a failed CloudWatch request means, and how long to wait before the next one. Pure: no I/O.
// The wait itself is shared/backoff.ts; acting on the answer is the sender's.

import { backoffMs } from '../shared/backoff.js';
import { mayHaveArrived } from '../shared/unanswered.js';

export type FailureKind =
  /** Throttling, 5xx, timeouts, dropped connections, a 2xx whose body was cut: back off and send the same batch again. */
  | 'retry'
  /** Expired, invalid or denied credentials: back off (a few seconds at most) and send again, so a fixed policy resumes delivery. */
  | 'credentials'
  /** The group or stream is gone: create it, then resend. */
  | 'missing-resource'
  /** HTTP 413 or a "too large" answer: split the batch. */
  | 'too-large'
  /** The batch itself was refused (validation): split it, within a bound, never resend it as is. */
  | 'invalid-batch'
  /** No retry helps (a group that may not be created, an unknown answer): report once and count the losses. */
  | 'fatal';

const RETRY_NAMES = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TooManyRequestsException',
  'TimeoutError',
  'InvalidSequenceTokenException',
]);
const CREDENTIAL_NAMES = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
  'AccessDeniedException',
  'AccessDenied',
  'NotAuthorized',
]);
/** Names of a permission missing (as opposed to credentials that expired or were mistyped). */
const DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'NotAuthorized']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const INVALID_BATCH_NAMES = new Set(['InvalidParameterException', 'SerializationException', 'ValidationException']);
const TOO_LARGE = /too large|TooLarge/i;

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { reason?: unknown };
  $retryable?: unknown;
}

/** Anything thrown, read as an SDK error (a non-object reads as an error with no fields). */
function asAwsLikeError(error: unknown): AwsLikeError {
  return (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
}

/** The HTTP status of the answer, when one came. */
function statusOf(error: unknown): number | undefined {
  return asAwsLikeError(error).$metadata?.httpStatusCode;
}

/**
 * What a failure means. `creating` is true for a failure while creating the group or stream:
 * a permission missing there is fatal, because the fix is infrastructure (create the group, or
 * grant logs:CreateLogGroup), not a credential that refreshes.
 */
export function classifyFailure(error: unknown, creating = false): FailureKind {
  const failure = asAwsLikeError(error);
  const name = String(failure.name ?? '');
  const status = statusOf(error);
  if (name === 'ResourceNotFoundException') return 'missing-resource';
  if (status !== undefined && status >= 200 && status < 300) return 'retry';
  if (CREDENTIAL_NAMES.has(name) || status === 401 || status === 403) {
    return creating && (DENIED_NAMES.has(name) || status === 403) ? 'fatal' : 'credentials';
  }
  if (status === 413 || TOO_LARGE.test(name) || (INVALID_BATCH_NAMES.has(name) && TOO_LARGE.test(String(failure.message ?? '')))) {
    return 'too-large';
  }
  if (RETRY_NAMES.has(name) || failure.$retryable) return 'retry';
  if (NETWORK_CODES.has(String(failure.code ?? '')) || /socket hang up|ECONNRESET|ECONNREFUSED/i.test(String(failure.message ?? '')))
    return 'retry';
  if (status !== undefined && (status >= 500 || status === 429)) return 'retry';
  if (INVALID_BATCH_NAMES.has(name)) return 'invalid-batch';
  return 'fatal';
}

/**
 * The batch may be stored though the request failed: no HTTP answer came after the request
 * left (reset, hang-up, timeout), or a 2xx came whose body was cut or unreadable.
 */
export function mayHaveBeenStored(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined && status >= 200 && status < 300) return true;
  return mayHaveArrived(error, status);
}

/**
 * The wait before trying again after a failure: exponential with jitter, capped at 10 s for an
 * endpoint in trouble and at a few seconds for credentials, so a fixed policy resumes delivery soon.
 */
export function retryDelayMs(kind: 'retry' | 'credentials', attempt: number, random: () => number = Math.random): number {
  return kind === 'credentials' ? backoffMs(attempt, random, 200, 3000) : backoffMs(attempt, random);
}

/** At exit, no backoff sleep is longer than this: an endpoint back from a short outage is used at once. */
export const EXIT_BACKOFF_MAX_MS = 250;
/** At exit, an attempt is never bounded below this: a healthy endpoint answers a full batch well within it. */
export const EXIT_ATTEMPT_MIN_MS = 1000;

/**
 * The bound on one attempt once the exit deadline is known: half the time left (at least
 * EXIT_ATTEMPT_MIN_MS), so one hung request cannot take the whole exit budget and the batch is
 * sent again while there is time. The client's requestTimeoutMs still applies when shorter.
 */
export function exitAttemptMs(msLeft: number): number {
  return Math.max(EXIT_ATTEMPT_MIN_MS, Math.floor(msLeft / 2));
}

/**
 * The wait after the `inARow`-th refused request in a row (413 or a refused batch). The first
 * is split and resent at once; an endpoint that refuses everything is asked at most once a second.
 */
export function refusalDelayMs(inARow: number, random: () => number = Math.random): number {
  return inARow <= 1 ? 0 : backoffMs(inARow - 2, random, 100, 1000);
}

/** A short, single-line description of a failure for stderr and the last-error slot, with its real name. */
export function describeFailure(error: unknown): string {
  const failure = asAwsLikeError(error);
  const status = statusOf(error);
  const message = String(failure.message ?? error).split('\n')[0] ?? '';
  const name = String(failure.name ?? 'Error');
  if (status !== undefined && (name === 'SyntaxError' || name === 'Error')) {
    // The SDK could not read the answer (a proxy's HTML page, a body cut short): the status is the news, not the parser's error.
    const reason = typeof failure.$response?.reason === 'string' ? ` ${failure.$response.reason}` : '';
    const what = name === 'SyntaxError' ? 'answer that is not CloudWatch JSON' : 'answer cut off';
    return `HTTP ${status}${reason}, ${what} (${failure.code ? `${String(failure.code)}: ` : ''}${message.slice(0, 120)})`;
  }
  return `${name}${status ? ` (HTTP ${status})` : ''}: ${message}`;
}
