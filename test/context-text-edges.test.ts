import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pino from 'pino';
import { runInLogContext, withLogContext } from '../src/context/log-context.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS } from '../src/redact/secret-keys.js';
import { CUT_FIELD, createSanitizer, DEFAULT_WALK_LIMITS } from '../src/sanitize/sanitizer.js';
import { guardedLogger, into } from './support/guarded-logger.js';

// Cases from an adversarial probe of three speed-ups (the context as text, the fast
// pass censoring URL strings, the query parameter scan). Each failed on their first version and
// passed on the tree before them: a line must be the one the merged context gives.

const sanitize = createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS));
type Loose = Record<string, unknown>;

/** The plain line writer (the context as text) beside pino's own asJson, the merged line. */
function pair(): { plain: pino.Logger; reference: pino.Logger; plainLines: string[]; referenceLines: string[] } {
  const plainLines: string[] = [];
  const referenceLines: string[] = [];
  return {
    plain: guardedLogger(sanitize, into(plainLines)),
    reference: guardedLogger(sanitize, into(referenceLines), {}, false),
    plainLines,
    referenceLines,
  };
}

const withoutTime = (lines: string[]) => lines.map((line) => line.replace(/"time":\d+,/, ''));

describe('the context as text against the merged line', () => {
  it('an integer-like line key beside a context keeps the merged key order', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    withLogContext({ requestId: 'r-1' }, () => {
      plain.info({ '2': 'x' }, 'm');
      reference.info({ '2': 'x' }, 'm');
    });
    // The merged line lists a number key first: {"2":"x","requestId":"r-1"}.
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
  });

  it('a getter in the context is read once a line, as the merge reads it', () => {
    const counted = (): Loose => {
      let reads = 0;
      const context: Loose = {};
      Object.defineProperty(context, 'reads', { enumerable: true, get: () => ++reads });
      return context;
    };
    const { plain, reference, plainLines, referenceLines } = pair();
    runInLogContext(counted(), () => {
      for (let i = 0; i < 4; i++) plain.info({ i }, 'm');
    });
    runInLogContext(counted(), () => {
      for (let i = 0; i < 4; i++) reference.info({ i }, 'm');
    });
    const reads = (lines: string[]) => lines.map((line) => (JSON.parse(line) as Loose).reads);
    // The first version read it twice a line (to check the text, then to make it): 1, 3, 5, 7.
    assert.deepEqual(reads(plainLines), reads(referenceLines));
    assert.deepEqual(reads(plainLines), [1, 2, 3, 4]);
  });

  it('an own __proto__ member of the context is written, and the other members kept', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    withLogContext(JSON.parse('{"__proto__":"x","a":1}') as Loose, () => {
      plain.info({ o: 1 }, 'm');
      reference.info({ o: 1 }, 'm');
    });
    // A Date as an own __proto__ member: a copy made by assignment would take it as its prototype.
    const dated: Loose = { ['__proto__']: new Date(0), a: 1 };
    withLogContext(dated, () => {
      plain.info({ o: 2 }, 'm');
      reference.info({ o: 2 }, 'm');
    });
    assert.equal((JSON.parse(plainLines[1] as string) as Loose).a, 1, plainLines[1]);
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
  });

  it('a member added to a running context object shows on the next line (runInLogContext)', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    const context: Loose = { requestId: 'r-1' };
    runInLogContext(context, () => {
      plain.info({ o: 1 }, 'm');
      reference.info({ o: 1 }, 'm');
      context.tenant = 't-1';
      plain.info({ o: 2 }, 'm');
      reference.info({ o: 2 }, 'm');
    });
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
  });
});

describe('a context whose traps throw (runInLogContext, internal)', () => {
  it('a Proxy context whose getOwnPropertyDescriptor trap throws neither throws from the log call nor loses the line', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    const context = new Proxy<Loose>(
      { requestId: 'r-1' },
      {
        getOwnPropertyDescriptor(target, key) {
          if (key === 'o') throw new Error('trap');
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    runInLogContext(context, () => {
      // The merge's sanitizer reads the Proxy in a try; reading its members for the text must too.
      assert.doesNotThrow(() => plain.info({ o: 1 }, 'm'));
      reference.info({ o: 1 }, 'm');
    });
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
  });
});

describe('the context as text and a polluted prototype', () => {
  it('an enumerable member of Object.prototype is not written as a context field', () => {
    const { plain, reference, plainLines, referenceLines } = pair();
    const prototype = Object.prototype as Loose;
    prototype.polluted = 'from the prototype';
    try {
      withLogContext({ requestId: 'r-1' }, () => {
        plain.info({ o: 1 }, 'm');
        reference.info({ o: 1 }, 'm');
      });
    } finally {
      delete prototype.polluted;
    }
    // The merge spreads own members only; a for-in over the context would copy inherited ones too.
    assert.equal((JSON.parse(plainLines[0] as string) as Loose).polluted, undefined, plainLines[0]);
    assert.deepEqual(withoutTime(plainLines), withoutTime(referenceLines));
  });
});

describe('the fast pass censoring a URL string against the full walk', () => {
  // The limits the root uses at LOG_MAX_LINE_BYTES=4096 (src/loggers/build-root.ts).
  const tight = createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS), {
    ...DEFAULT_WALK_LIMITS,
    maxStringChars: 4 * 4096,
    maxTextChars: 8 * 4096,
  });

  /** Where the fast pass and the full walk alone (`value`, which adds no cut field) differ, by the last string's length. */
  const differences = (fieldsOf: (length: number) => Loose, from: number, to: number): number[] => {
    const lengths: number[] = [];
    for (let length = from; length < to; length++) {
      const fields = fieldsOf(length);
      const { [CUT_FIELD]: _cut, ...written } = tight(fields);
      if (JSON.stringify(written) !== JSON.stringify(tight.value(fields))) lengths.push(length);
    }
    return lengths;
  };

  it('a censored URL does not take more of the text budget than the walk gives it', () => {
    // The walk counts the string it is given: the URL's own 11 characters, not a censored copy's
    // 20 ('[Redacted]' for 'a'), or a last string the walk keeps whole would be cut.
    const fieldsOf = (length: number): Loose => ({
      url: '/cb?token=a',
      password: 'x',
      b1: 'y'.repeat(16_000),
      b2: 'w'.repeat(10_000),
      b3: 'z'.repeat(length),
    });
    assert.deepEqual(differences(fieldsOf, 6_700, 6_760), []);
  });

  it('the fast pass keeps to the walk text budget, keys included, when it censors a URL', () => {
    // The walk counts the long key and cuts the last string; a fast pass that censored the URL
    // and counted no key kept it whole.
    const fieldsOf = (length: number): Loose => ({
      ['k'.repeat(9_000)]: 1,
      url: '/cb?token=a',
      b1: 'y'.repeat(16_000),
      b2: 'z'.repeat(length),
    });
    assert.deepEqual(differences(fieldsOf, 7_720, 7_780), []);
  });
});
