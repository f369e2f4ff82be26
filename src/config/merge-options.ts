import { LogferryConfigError } from '../errors.js';
import type { LogferryOptions } from '../options.js';

// configureLogging() may be called more than once before the first logger (a library's defaults,
// then the app's own): each call merges into the ones before it, key by key at every depth.

/** Lists that add up across calls, so a later call never stops censoring a key an earlier one named. */
const ADDED_UP = new Set(['redact.keys', 'redact.allow']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What configureLogging() takes: an object of options; null, an array or a primitive is refused. */
export function checkOptionsArgument(options: unknown): LogferryOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new LogferryConfigError(
      'configureLogging',
      options,
      'give an object of options, e.g. configureLogging({ level: "info" })',
      'type',
    );
  }
  return options as LogferryOptions;
}

/**
 * `next` over `base`: an object merges with the object before it, key by key; any other value
 * (`false`, a number, an array) replaces it; `undefined` leaves it as it was. Neither is changed.
 */
export function mergeOptions(base: LogferryOptions, next: LogferryOptions): LogferryOptions {
  return mergeAt('', base, next) as LogferryOptions;
}

function mergeAt(path: string, base: unknown, next: unknown): unknown {
  if (next === undefined) return copy(base);
  if (ADDED_UP.has(path) && Array.isArray(base) && Array.isArray(next)) return [...new Set([...base, ...next])];
  if (!isPlainObject(next)) return copy(next);
  const out: Record<string, unknown> = {};
  const from = isPlainObject(base) ? base : {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(next)])) {
    const value = mergeAt(path === '' ? key : `${path}.${key}`, from[key], next[key]);
    // Defined as data, so a `__proto__` key (JSON.parse makes one) stays a key for the checks to refuse.
    if (value !== undefined) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A copy of plain objects and arrays, so the app changing its object later changes nothing here. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return [...value];
  if (!isPlainObject(value)) return value;
  return mergeAt('', {}, value);
}
