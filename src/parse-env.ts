import { LogferryConfigError } from './errors.js';

// Small, strict readers for environment values: each failure names the variable and the fix.

export type Env = Readonly<Record<string, string | undefined>>;

/** The value of a variable, or undefined when unset or blank. */
export function readVar(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

export function parseBoolean(name: string, raw: string): boolean {
  const value = raw.toLowerCase();
  if (TRUE_WORDS.has(value)) return true;
  if (FALSE_WORDS.has(value)) return false;
  throw new LogferryConfigError(name, raw, 'use 1/true/yes/on or 0/false/no/off');
}

export function parsePositiveInteger(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new LogferryConfigError(name, raw, `use a whole number from 1 to ${max}`);
  }
  return value;
}

export function parseHttpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LogferryConfigError(name, raw, 'use an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LogferryConfigError(name, raw, 'use an absolute http:// or https:// URL');
  }
  return raw;
}
