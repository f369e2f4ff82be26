// Which failures are worth another try, and how long to wait. Pure: no I/O.

import { mayHaveArrived } from '../shared/unanswered.js';

export type FailureKind =
  /** Throttling, 5xx, timeouts, dropped connections: back off and send the same batch again. */
  | 'retry'
  /** The group or stream is gone: create it, then resend. */
  | 'missing-resource'
  /** The batch itself was refused (validation): never resent as is. */
  | 'invalid-batch'
  /** Credentials, permissions, region: no retry helps; report once and count the losses. */
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
  'ExpiredTokenException',
  'InvalidSequenceTokenException',
]);
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

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Anything thrown, read as an SDK error (a non-object reads as an error with no fields). */
function asAwsLikeError(error: unknown): AwsLikeError {
  return (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
}

export function classifyFailure(error: unknown): FailureKind {
  const failure = asAwsLikeError(error);
  const name = String(failure.name ?? '');
  const status = failure.$metadata?.httpStatusCode;
  if (name === 'ResourceNotFoundException') return 'missing-resource';
  if (RETRY_NAMES.has(name) || failure.$retryable) return 'retry';
  if (NETWORK_CODES.has(String(failure.code ?? '')) || /socket hang up|ECONNRESET|ECONNREFUSED/i.test(String(failure.message ?? '')))
    return 'retry';
  if (status !== undefined && (status >= 500 || status === 429)) return 'retry';
  if (INVALID_BATCH_NAMES.has(name)) return 'invalid-batch';
  return 'fatal';
}

/** A failure with no HTTP answer after the request left: CloudWatch may have stored the batch. */
export function mayHaveBeenStored(error: unknown): boolean {
  return mayHaveArrived(error, asAwsLikeError(error).$metadata?.httpStatusCode);
}

/** A short, single-line description of a failure for stderr and the last-error slot. */
export function describeFailure(error: unknown): string {
  const failure = asAwsLikeError(error);
  const name = String(failure.name ?? 'Error');
  const status = failure.$metadata?.httpStatusCode;
  const message = String(failure.message ?? error).split('\n')[0];
  return `${name}${status ? ` (HTTP ${status})` : ''}: ${message}`;
}
