import { describeSettingValue, isSecretSetting } from './redact/text-secrets.js';

// Every error logferry throws, in one place, each with a stable `code` an app can branch on
// (as fastify's FST_ERR_* codes): the message is for people and may be reworded, the code is not.
// The worker's own attempt errors are here too; the worker loads them through src/wire/.

/** The `code` of every error logferry throws or reports. */
export type LogferryErrorCode =
  | 'LOGFERRY_CONFIG'
  | 'LOGFERRY_ARGUMENT'
  | 'LOGFERRY_BUNDLE'
  | 'LOGFERRY_NON_ERROR_THROWN'
  | 'LOGFERRY_ATTEMPT_CUT_OFF';

/**
 * How an error shows the value: `value` as given (URL and key secrets censored), or `type` for
 * a value of the wrong type, which is shown by its type and size and never echoed when longer
 * than a few characters: a string where an object was expected is often a key put in the wrong
 * place (`bugsnag: '<api key>'`). `message`: nothing is wrong with a value, only with when it
 * came; `accepted` is then the whole message.
 */
export type ShownAs = 'value' | 'type' | 'message';

/**
 * Bad configuration: names the variable (or option), the value given and what is accepted.
 * A secret setting's value shows only a prefix and its length, whatever its type, and a URL
 * shows without its userinfo or secret query parameters.
 */
export class LogferryConfigError extends Error {
  readonly code = 'LOGFERRY_CONFIG';
  readonly variable: string;

  constructor(variable: string, value: unknown, accepted: string, shownAs: ShownAs = 'value') {
    super(shownAs === 'message' ? accepted : `logferry: ${variable}=${shownSetting(variable, value, shownAs)} is not valid: ${accepted}`);
    this.name = 'LogferryConfigError';
    this.variable = variable;
  }
}

function shownSetting(variable: string, value: unknown, shownAs: ShownAs): string {
  return shownAs === 'type' && !isSecretSetting(variable) ? describeMistyped(value) : describeSettingValue(variable, value);
}

/** A call given an argument it cannot use (a timeout that is not a number): a TypeError, as Node's own are. */
export class LogferryArgumentError extends TypeError {
  readonly code = 'LOGFERRY_ARGUMENT';

  constructor(message: string) {
    super(message);
    this.name = 'TypeError';
  }
}

/** logferryPlugin() could not build the worker file a bundle needs beside it. */
export class LogferryBundleError extends Error {
  readonly code = 'LOGFERRY_BUNDLE';

  constructor(message: string) {
    super(message);
    this.name = 'LogferryBundleError';
  }
}

/** A thrown string, number or plain object, carried as an Error so it keeps a class and a message. */
export class NonErrorThrown extends Error {
  readonly code = 'LOGFERRY_NON_ERROR_THROWN';
  readonly thrown: unknown;

  /** `described`: the value as the message may show it, secrets already censored. */
  constructor(thrown: unknown, origin: 'uncaughtException' | 'unhandledRejection', described: string) {
    super(`${origin === 'unhandledRejection' ? 'Promise rejected' : 'Thrown'} with a non-error: ${described}`);
    this.name = 'NonErrorThrown';
    this.thrown = thrown;
  }
}

/**
 * A request attempt of a sink that ran out of time: the request left, so the endpoint may have
 * stored it. Its code is the one Node's own socket timeouts carry, so it is retried as they are.
 */
export class AttemptTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';

  constructor(timeoutMs: number, setting: string) {
    super(`no complete answer within ${setting} (${timeoutMs} ms); the attempt was aborted`);
  }
}

/** A request attempt of a sink that the exit deadline ended. */
export class AttemptCutOffError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'LOGFERRY_ATTEMPT_CUT_OFF';

  constructor() {
    super('cut off at the exit deadline');
  }
}

/** Strings up to this length are short enough to hold no key, and are shown in full. */
const SHOWN_IN_FULL = 7;
const KEYS_SHOWN = 5;

/** A wrong-typed value by its type and size: `"0123…" (a string of 32 characters)`, `(an array of 2 items)`. */
export function describeMistyped(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= SHOWN_IN_FULL) return `${JSON.stringify(value)} (a string)`;
    // As a key is shown: one character per eight, at most four.
    const prefix = value.slice(0, Math.min(4, Math.floor(value.length / 8)));
    return `${JSON.stringify(`${prefix}…`)} (a string of ${value.length} characters)`;
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${String(value)} (a ${typeof value})`;
  if (typeof value !== 'object') return `(a ${typeof value}, not shown)`;
  if (ArrayBuffer.isView(value)) return `(${value.constructor.name} of ${value.byteLength} bytes, not shown)`;
  if (Array.isArray(value)) return `(an array of ${value.length} items, not shown)`;
  try {
    const keys = Object.keys(value);
    const listed = keys.slice(0, KEYS_SHOWN).join(', ') + (keys.length > KEYS_SHOWN ? ', …' : '');
    return keys.length === 0 ? '(an empty object)' : `(an object with keys ${listed}, values not shown)`;
  } catch {
    return '(an object, not shown)';
  }
}
