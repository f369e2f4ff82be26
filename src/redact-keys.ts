// Which key names hold secrets. A key matches when its normalized form (lower case, no
// '-', '_', '.' or spaces) ends with a listed name, so `apiKey`, `x-api-key` and
// `STRIPE_API_KEY` all match `apikey`, and `dbPassword` matches `password`.

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
];

/**
 * Names that hold secrets only as URL query parameters (`?code=` of an OAuth redirect, `?sig=`
 * of an Azure SAS URL): as field keys they are too common (`code` of an error) to censor.
 * Matched exactly, after normalizing.
 */
export const QUERY_ONLY_SECRET_NAMES: readonly string[] = ['code', 'sig'];

/** Whether a URL query parameter's (decoded) name holds a secret: a secret key or a query-only name. */
export function isSecretQueryName(name: string, isSecretKey: KeyMatcher): boolean {
  return isSecretKey(name) || QUERY_ONLY_SECRET_NAMES.includes(normalizeKey(name));
}

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
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
    if (verdicts.size < MAX_CACHED_VERDICTS) verdicts.set(key, verdict);
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
