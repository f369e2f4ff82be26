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

/** The accepted range of a whole-number setting; the notes say in the error what a bound means. */
export interface WholeNumberRange {
  min: number;
  max: number;
  /** e.g. 'bytes': "a whole number of bytes from …" */
  unit?: string;
  minNote?: string;
  maxNote?: string;
}

/** A whole number within `range`, from an environment string or an option value. */
export function parseWholeNumber(name: string, raw: unknown, range: WholeNumberRange): number {
  const value = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    const bound = (limit: number, note?: string) => (note ? `${limit} (${note})` : String(limit));
    const what = range.unit ? `a whole number of ${range.unit}` : 'a whole number';
    throw new LogferryConfigError(name, raw, `use ${what} from ${bound(range.min, range.minNote)} to ${bound(range.max, range.maxNote)}`);
  }
  return value;
}

export function parsePositiveInteger(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  return parseWholeNumber(name, raw, { min: 1, max });
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
