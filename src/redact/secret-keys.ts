// Which key names hold secrets. A key matches when its normalized form (compatibility forms
// folded, invisible characters removed, lower case, no '-', '_', '.' or spaces) ends with a
// listed name, so `apiKey`, `x-api-key` and `STRIPE_API_KEY` all match `apikey`, `dbPassword`
// matches `password`, and so do `pass\u200Bword` and a full-width `ｐａｓｓｗｏｒｄ`.

export const REDACTED = '[Redacted]';

export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'authorization',
  'cookie',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'secretkey',
  'privatekey',
  'secretaccesskey',
  'accesskeyid',
  'credentials',
  'signature',
  'sessionid',
  'clientassertion',
  // Plurals and short forms the suffix rule cannot reach from the names above.
  'cookies',
  'passwords',
  'tokens',
  'secrets',
  'credential',
  'apikeys',
  'pwd',
  'jwt',
  'auth',
  'bearer',
  'privatekeypem',
  'authentication',
  'subscriptionkey',
  // Session cookies and parameters by their usual names (PHPSESSID, Express's connect.sid).
  'sessid',
  'sessionkey',
  'connectsid',
];

/**
 * Names that hold secrets only as URL query parameters (`?code=` of an OAuth redirect, `?sig=`
 * of an Azure SAS URL, `?session=` and `?sid=` of a session in the URL): as field keys they are
 * too common (`code` of an error, a `session` object, a Wi-Fi `ssid`) to censor. Matched
 * exactly, after normalizing.
 */
export const QUERY_ONLY_SECRET_NAMES: readonly string[] = ['code', 'sig', 'session', 'sid'];

/** Whether a URL query parameter's (decoded) name is one of QUERY_ONLY_SECRET_NAMES. */
export function isQueryOnlySecretName(name: string): boolean {
  return QUERY_ONLY_SECRET_NAMES.includes(normalizeKey(name));
}

// Characters a reader does not see (zero-width space, soft hyphen, joiners, bidi controls,
// variation selectors…), which would otherwise hide a name from the matcher.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

// NFKC puts each run of combining marks in canonical order, at a cost quadratic in the run's
// length; no name is made of marks, so in a long key (or query name) long runs are dropped first.
const LONG_KEY_CHARS = 256;
const MARK_RUN = /\p{M}{32,}/gu;

/** A key as names are matched: compatibility forms folded (NFKC), invisible characters removed, lower case, no separators. */
export function normalizeKey(key: string): string {
  return (key.length > LONG_KEY_CHARS ? key.replace(MARK_RUN, '') : key)
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(/[-_.\s]/g, '');
}

/**
 * Whether a key names a secret; `shortestKeyChars` is the length of the shortest name it
 * matches; `plainKeys` holds keys known not to be secret, each at its `plainKeySlot`, for
 * callers that check many keys in a loop of their own.
 */
export type KeyMatcher = ((key: string) => boolean) & {
  readonly shortestKeyChars?: number;
  readonly plainKeys?: ReadonlyArray<string | undefined>;
};

/** Where a key known not to be secret is kept in `KeyMatcher.plainKeys`: by its length and first letter. */
export function plainKeySlot(key: string): number {
  return (key.length * 7 + key.charCodeAt(0)) & (PLAIN_KEY_SLOTS - 1);
}

// Log keys repeat endlessly (msg, userId, headers…): remember verdicts, up to a bound so
// an app that logs ever-new keys (ids as keys) cannot grow this without limit.
const MAX_CACHED_VERDICTS = 10_000;
/** Longer keys are judged every time and never held, so the cache stays small whatever keys come. */
const MAX_CACHED_KEY_CHARS = 128;
/** A power of two: the slot is a mask of the key's length and first letter. */
const PLAIN_KEY_SLOTS = 64;

export function createKeyMatcher(names: readonly string[]): KeyMatcher {
  const suffixes = [...new Set(names.map(normalizeKey))].filter((name) => name !== '');
  const verdicts = new Map<string, boolean>();
  // In front of the map, one recent plain key per slot (by length and first letter): the keys of
  // a log call's literal object are the same strings every call, so a hit is one `===`.
  const plainKeys = new Array<string | undefined>(PLAIN_KEY_SLOTS).fill(undefined);
  const matcher = (key: string): boolean => {
    const slot = plainKeySlot(key);
    if (plainKeys[slot] === key) return false;
    const known = verdicts.get(key);
    if (known === false) plainKeys[slot] = key;
    if (known !== undefined) return known;
    const normalized = normalizeKey(key);
    let verdict = false;
    for (const suffix of suffixes) {
      if (normalized.endsWith(suffix)) {
        verdict = true;
        break;
      }
    }
    if (key.length <= MAX_CACHED_KEY_CHARS) {
      // Full: start again, so the keys the app logs now are remembered, not only its first ones.
      if (verdicts.size >= MAX_CACHED_VERDICTS) verdicts.clear();
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  return Object.assign(matcher, {
    shortestKeyChars: Math.min(...suffixes.map((suffix) => suffix.length), Number.MAX_SAFE_INTEGER),
    plainKeys: plainKeys as ReadonlyArray<string | undefined>,
  });
}

/**
 * The same names as regular-expression sources for Bugsnag's `redactedKeys`, which tests
 * raw key names: each letter may be followed by a separator, and the name ends the key.
 */
export function redactKeyPatterns(names: readonly string[]): string[] {
  return names.map((name) => `${[...normalizeKey(name)].join('[-_.\\s]?')}$`);
}

/**
 * A `[name, value]` pair whose name is a secret key (Object.entries(headers), a Map's entries):
 * the name says what the value is, as a key would, so the value is censored.
 */
export function isSecretPair(pair: readonly unknown[], isSecretKey: KeyMatcher): boolean {
  return pair.length === 2 && typeof pair[0] === 'string' && isSecretKey(pair[0]);
}
