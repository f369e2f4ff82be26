import { LogferryConfigError } from '../errors.js';

// One checked path for every setting: each reader below takes a value as the environment gives
// it (a string) or as code gives it (any value), checks it the same way, and fails with a
// LogferryConfigError that names the variable or option and says what is accepted.

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a setting can come from: an option path (`cloudwatch.requestTimeoutMs`) and, for some, a variable. */
export interface SettingName {
  option: string;
  env?: string;
}

/** A reader: the checked value, or a LogferryConfigError naming `name`. */
export type ReadSetting<T> = (name: string, raw: unknown) => T;

/**
 * Whether a setting's name is an environment variable (UPPER_SNAKE) rather than an option path
 * (camelCase). Text is all the environment has, so only there may a number or a boolean come as
 * text; from code, the types say number or boolean and a string is a mistake to report.
 */
export function fromEnvironment(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}

/** The value of a variable, or undefined when unset or blank. */
export function readVar(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A setting from code when given there, else from the environment, else `fallback`; both
 * sources go through the same reader. Adding a setting is one line in its config file.
 */
export function resolveSetting<T>(env: Env, name: SettingName, fromCode: unknown, read: ReadSetting<T>, fallback: T): T {
  if (fromCode !== undefined) return read(name.option, fromCode);
  const raw = name.env === undefined ? undefined : readVar(env, name.env);
  return raw === undefined ? fallback : read(name.env as string, raw);
}

/** An optional setting given in code: checked when present, undefined when absent. */
export function optional<T>(name: string, raw: unknown, read: ReadSetting<T>): T | undefined {
  return raw === undefined ? undefined : read(name, raw);
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

export function parseBoolean(name: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const env = fromEnvironment(name);
  const value = env && typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (value !== undefined && TRUE_WORDS.has(value)) return true;
  if (value !== undefined && FALSE_WORDS.has(value)) return false;
  if (!env) throw new LogferryConfigError(name, raw, 'use true or false (a boolean)', 'type');
  throw new LogferryConfigError(name, raw, 'use true or false (in the environment: 1/true/yes/on or 0/false/no/off)');
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

const DIGITS = /^\s*\d+\s*$/;

/** A whole number within `range`, from an environment string (digits only) or an option value (NaN, Infinity and fractions refused). */
export function parseWholeNumber(name: string, raw: unknown, range: WholeNumberRange): number {
  const env = fromEnvironment(name);
  const value = typeof raw === 'number' ? raw : env && typeof raw === 'string' && DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    const bound = (limit: number, note?: string) => (note ? `${limit} (${note})` : String(limit));
    const what = range.unit ? `a whole number of ${range.unit}` : 'a whole number';
    const accepted = `use ${what} from ${bound(range.min, range.minNote)} to ${bound(range.max, range.maxNote)}`;
    const mistyped = typeof raw !== 'number' && !(env && typeof raw === 'string');
    throw new LogferryConfigError(name, raw, mistyped ? `${accepted} (a number)` : accepted, mistyped ? 'type' : 'value');
  }
  return value;
}

/** A reader for whole numbers in `range`, for resolveSetting. */
export function wholeNumber(range: WholeNumberRange): ReadSetting<number> {
  return (name, raw) => parseWholeNumber(name, raw, range);
}

export function parsePositiveInteger(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  return parseWholeNumber(name, raw, { min: 1, max });
}

/** One of `allowed` (case-insensitive for environment strings); `fix` replaces the generic hint. */
export function oneOf<T extends string>(allowed: readonly T[], fix?: string): ReadSetting<T> {
  return (name, raw) => {
    const value = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
    const found = allowed.find((candidate) => candidate === value);
    if (found === undefined) {
      throw new LogferryConfigError(name, raw, fix ?? `use one of ${allowed.join(', ')}`, typeof raw === 'string' ? 'value' : 'type');
    }
    return found;
  };
}

/** A non-empty string of at most `maxLength` characters. */
export function text(maxLength = 1024): ReadSetting<string> {
  return (name, raw) => {
    if (typeof raw !== 'string' || raw.trim() === '' || raw.length > maxLength) {
      throw new LogferryConfigError(name, raw, `use a non-empty string of at most ${maxLength} characters`, 'type');
    }
    return raw;
  };
}

/** A list of strings (key names, patterns). */
export function parseStringList(name: string, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
    throw new LogferryConfigError(name, raw, 'use an array of strings', 'type');
  }
  return raw as string[];
}

/** An object of options (or undefined); anything else is refused rather than read as empty. */
export function parseOptionsObject(name: string, raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LogferryConfigError(name, raw, 'use an object of options (or false to turn it off, where that is allowed)', 'type');
  }
  return raw as Record<string, unknown>;
}

/**
 * Refuses a key of an options object that is not one of `known`: a misspelt option would
 * otherwise be ignored without a word. Its value is shown by type only (it may be a secret).
 */
export function checkKnownKeys(name: string, options: object, known: Readonly<Record<string, true>>): void {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const where = name === 'options' ? 'configureLogging()' : name;
    throw new LogferryConfigError(
      name === 'options' ? key : `${name}.${key}`,
      (options as Record<string, unknown>)[key],
      `${where} has no option ${JSON.stringify(key)}; known options: ${Object.keys(known).join(', ')}`,
      'type',
    );
  }
}

export function parseHttpUrl(name: string, raw: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new LogferryConfigError(name, raw, 'use an absolute http:// or https:// URL', typeof raw === 'string' ? 'value' : 'type');
  }
  return raw as string;
}
