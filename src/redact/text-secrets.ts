import { replaceBareUserinfo } from './bare-userinfo.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, isQueryOnlySecretName, type KeyMatcher, REDACTED } from './secret-keys.js';
import { censorSecretParameters } from './secret-parameters.js';

// Secrets inside text rather than under a key: the userinfo of a URL (`https://user:pass@host`)
// and secret query parameters (`?access_token=…`, `&X-Amz-Signature=…`). Used on logged strings
// and on everything logferry itself prints (config errors, stderr notices, logStats errors).
// Plain: imports only secret-keys.ts, secret-parameters.ts and bare-userinfo.ts, so worker
// files may load it.

// Userinfo after a scheme or `//` (protocol-relative) runs to the last `@` before the host's
// path, query or fragment: a password may itself hold `@`. Without either, `user:pass@host`
// (a connection string's tail, a bare endpoint) needs the colon, so e-mail addresses stay
// (src/redact/bare-userinfo.ts). A scheme starts only where a run of scheme characters does: tried at
// every letter of a long run, each try ran to the run's end.
const USERINFO = /((?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:)?\/\/)[^/\s?#]*@/gi;

/** Cheap test that a string could hold a URL secret; most strings fail it without a regex. */
export function mayHoldUrlSecret(text: string): boolean {
  // Userinfo worth censoring has a password, so a colon: an e-mail address costs one scan.
  return text.includes('=') || (text.includes(':') && text.includes('@'));
}

/**
 * The shortest string that can hold a URL secret for these key names: a userinfo worth
 * censoring needs about `a://b@` (`u:pw@h`, `//u:p@`), a secret parameter `?name=v`. Shorter strings (most field values) skip the search.
 */
export function shortestUrlSecret(isSecretKey: KeyMatcher): number {
  return Math.min('a://b@'.length, (isSecretKey.shortestKeyChars ?? 1) + '?=v'.length);
}

/**
 * `text` with every URL's userinfo replaced by `[Redacted]` (or removed, `removeUserinfo`) and
 * the values of query parameters whose names are secret censored. The same string when there is
 * nothing to censor.
 */
export function censorUrlSecrets(text: string, isSecretKey: KeyMatcher, removeUserinfo = false): string {
  if (!mayHoldUrlSecret(text)) return text;
  let out = text;
  if (text.includes('@')) {
    out = text.replace(USERINFO, removeUserinfo ? '$1' : `$1${REDACTED}@`);
    if (out.includes(':')) out = replaceBareUserinfo(out, removeUserinfo ? undefined : REDACTED);
  }
  if (out.includes('=')) {
    out = censorSecretParameters(out, (name) => isSecretQueryKeyMemo(name, isSecretKey));
  }
  return out;
}

/**
 * Whether a query key names a secret, by the same key rules as fields, whatever its brackets.
 * A query-only name (`code`, `session`…) counts only as the whole name: `session[id]` stands
 * for a field of a `session` object, which is no secret as a field either.
 */
export function isSecretQueryKey(rawKey: string, isSecretKey: KeyMatcher): boolean {
  const names = queryKeyNames(rawKey);
  return names.some((name) => isSecretKey(name)) || (names.length === 1 && isQueryOnlySecretName(names[0] as string));
}

/** Query keys judged per matcher: an app's URLs use a few keys over and over. Bounded. */
const judgedKeys = new WeakMap<KeyMatcher, Map<string, boolean>>();
const MAX_JUDGED_KEYS = 1000;

/** isSecretQueryKey, remembered per matcher for the keys it has judged. */
export function isSecretQueryKeyMemo(rawKey: string, isSecretKey: KeyMatcher): boolean {
  // Long keys (a client's junk) are judged each time rather than held.
  if (rawKey.length > 64) return isSecretQueryKey(rawKey, isSecretKey);
  let judged = judgedKeys.get(isSecretKey);
  if (judged === undefined) {
    judged = new Map();
    judgedKeys.set(isSecretKey, judged);
  }
  let secret = judged.get(rawKey);
  if (secret === undefined) {
    secret = isSecretQueryKey(rawKey, isSecretKey);
    if (judged.size >= MAX_JUDGED_KEYS) judged.clear();
    judged.set(rawKey, secret);
  }
  return secret;
}

/**
 * The names in a query key, as the path of the field it stands for: `user[password][]` (or
 * `user%5Bpassword%5D%5B%5D`) is `user`, `password`; `api_key[0]` is `api_key`. Empty and index
 * parts name nothing. As with fields, a secret name anywhere on the path censors the value.
 */
function queryKeyNames(rawKey: string): string[] {
  let key = rawKey;
  try {
    key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    // Malformed escapes: judge the key as written.
  }
  const open = key.indexOf('[');
  if (open < 0) return [key];
  const names = [key.slice(0, open)];
  for (const [, part] of key.slice(open).matchAll(/\[([^[\]]*)\]/g)) {
    if (part !== undefined && part !== '' && !/^\d+$/.test(part)) names.push(part);
  }
  return names;
}

const defaultMatcher = createKeyMatcher(DEFAULT_REDACT_KEYS);

/** Text logferry prints about itself (stderr, errors, logStats): URLs without userinfo, secret parameters censored. */
export function safeNoticeText(text: string): string {
  return censorUrlSecrets(text, defaultMatcher, true);
}

/** Whether a setting's name (`BUGSNAG_API_KEY`, `bugsnag.apiKey`) says it holds a secret. */
export function isSecretSetting(name: string): boolean {
  return defaultMatcher(name.slice(name.lastIndexOf('.') + 1));
}

/**
 * A secret as an error message may show it: a short prefix and its length, whatever type it
 * came in (a Buffer from readFileSync is decoded first), never the whole value.
 */
export function describeSecret(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (ArrayBuffer.isView(value)) text = decodeView(value);
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (value === undefined || value === null) return String(value);
  else return `(a ${typeName(value)}, not shown)`;
  // One shown character per eight: a 32-character key shows 4, a short password none.
  const shown = Math.min(4, Math.floor(text.length / 8));
  const kind = typeof value === 'string' ? 'characters' : `characters, given as a ${typeName(value)}`;
  return `${JSON.stringify(`${text.slice(0, shown)}…`)} (${text.length} ${kind})`;
}

function decodeView(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('utf8');
}

function typeName(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  try {
    return Object.getPrototypeOf(value)?.constructor?.name ?? 'object';
  } catch {
    return 'object';
  }
}

/**
 * Any setting's value as a config error shows it: secrets as `describeSecret`, text (also a
 * Buffer) with URL secrets removed, other values as JSON with secret keys censored.
 */
export function describeSettingValue(name: string, value: unknown): string {
  if (isSecretSetting(name)) return describeSecret(value);
  if (ArrayBuffer.isView(value)) return `${describeSettingValue(name, decodeView(value))} (given as a ${typeName(value)})`;
  // NaN, Infinity, undefined and functions as themselves: JSON would say null or nothing.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  try {
    const json = JSON.stringify(value, (key, item: unknown) => {
      if (key !== '' && defaultMatcher(key) && item !== undefined) return REDACTED;
      if (typeof item === 'string') return safeNoticeText(item);
      if (typeof item === 'bigint') return item.toString();
      return item;
    });
    return json === undefined ? String(value) : json;
  } catch {
    return `(a ${typeName(value)} that cannot be shown)`;
  }
}
