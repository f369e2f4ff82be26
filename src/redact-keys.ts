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
];

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Whether a key names a secret; `shortestKeyChars` is the length of the shortest name it matches. */
export type KeyMatcher = ((key: string) => boolean) & { readonly shortestKeyChars?: number };

// Log keys repeat endlessly (msg, userId, headers…): remember verdicts, up to a bound so
// an app that logs ever-new keys (ids as keys) cannot grow this without limit.
const MAX_CACHED_VERDICTS = 10_000;

export function createKeyMatcher(names: readonly string[]): KeyMatcher {
  const suffixes = [...new Set(names.map(normalizeKey))].filter((name) => name !== '');
  const verdicts = new Map<string, boolean>();
  const matcher = (key: string): boolean => {
    const known = verdicts.get(key);
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
  return Object.assign(matcher, { shortestKeyChars: Math.min(...suffixes.map((suffix) => suffix.length), Number.MAX_SAFE_INTEGER) });
}

/**
 * The same names as regular-expression sources for Bugsnag's `redactedKeys`, which tests
 * raw key names: each letter may be followed by a separator, and the name ends the key.
 */
export function redactKeyPatterns(names: readonly string[]): string[] {
  return names.map((name) => `${[...normalizeKey(name)].join('[-_.\\s]?')}$`);
}
