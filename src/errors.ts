import { describeSettingValue, isSecretSetting } from './redact/text-secrets.js';

/**
 * How an error shows the value: `value` as given (URL and key secrets censored), or `type` for
 * a value of the wrong type, which is shown by its type and size and never echoed when longer
 * than a few characters: a string where an object was expected is often a key put in the wrong
 * place (`bugsnag: '<api key>'`).
 */
export type ShownAs = 'value' | 'type';

/**
 * Bad configuration: names the variable (or option), the value given and what is accepted.
 * A secret setting's value shows only a prefix and its length, whatever its type, and a URL
 * shows without its userinfo or secret query parameters.
 */
export class LogferryConfigError extends Error {
  readonly code = 'LOGFERRY_CONFIG';
  readonly variable: string;

  constructor(variable: string, value: unknown, accepted: string, shownAs: ShownAs = 'value') {
    const shown = shownAs === 'type' && !isSecretSetting(variable) ? describeMistyped(value) : describeSettingValue(variable, value);
    super(`logferry: ${variable}=${shown} is not valid: ${accepted}`);
    this.name = 'LogferryConfigError';
    this.variable = variable;
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
