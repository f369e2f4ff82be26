import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyMatcher, DEFAULT_REDACT_KEYS, REDACTED } from '../src/redact/secret-keys.js';
import { censorSecretParameters } from '../src/redact/secret-parameters.js';
import { isSecretQueryKey } from '../src/redact/text-secrets.js';
import { seededRandom } from './support/seeded-random.js';

// src/redact/secret-parameters.ts scans text for secret parameters in place of a global RegExp
// replace. The pattern it stands in for is the reference here: over any text, both must censor
// the same values.

const isSecretKey = createKeyMatcher(DEFAULT_REDACT_KEYS);
const isSecretName = (name: string) => isSecretQueryKey(name, isSecretKey);

/** What the censoring did with the RegExp it replaced. */
function byPattern(text: string): string {
  return text.replace(/([?&;#])([^=&#\s?;]+)=([^&#\s;]*)/g, (whole, separator: string, name: string, value: string) =>
    value !== '' && value !== REDACTED && isSecretName(name) ? `${separator}${name}=${REDACTED}` : whole,
  );
}

// Pieces that make parameters, near-parameters and every character class the pattern tells apart.
const PIECES = [
  '?',
  '&',
  ';',
  '#',
  '=',
  '==',
  'token',
  'code',
  'api_key',
  'user[password][]',
  'page',
  'x',
  '1',
  'a b',
  ' ',
  '\t',
  '\n',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\ufeff',
  '\u200b',
  '[Redacted]',
  '/orders/7',
  'https://h.example/cb',
  '%5B',
  'é',
  '😀',
  '\ud800',
  '@',
  ':',
];

describe('censoring secret parameters by a scan', () => {
  it('censors what the pattern censors, in fixed cases', () => {
    const cases: Array<[string, string]> = [
      ['/orders/7?token=T1&page=2', `/orders/7?token=${REDACTED}&page=2`],
      ['/cb#access_token=A1&state=s', `/cb#access_token=${REDACTED}&state=s`],
      ['/x?token=&code=C1;sig=S1 tail', `/x?token=&code=${REDACTED};sig=${REDACTED} tail`],
      ['/x?page=1?token=T2', '/x?page=1?token=T2'],
      ['/x?=v&token=[Redacted]', '/x?=v&token=[Redacted]'],
      ['no parameters here', 'no parameters here'],
    ];
    for (const [text, expected] of cases) {
      assert.equal(byPattern(text), expected, `the pattern on ${text}`);
      assert.equal(censorSecretParameters(text, isSecretName), expected, text);
    }
  });

  it('gives the same text as the pattern over 20,000 random texts', () => {
    const random = seededRandom(2026_12_07);
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 14);
      for (let i = 0; i < length; i++) text += PIECES[Math.floor(random() * PIECES.length)];
      assert.equal(censorSecretParameters(text, isSecretName), byPattern(text), JSON.stringify(text));
    }
  });
});
