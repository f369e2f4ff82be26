/** Inputs that break naive loggers, by name. Every one must be logged, readable, without a crash. */
export function hostileCorpus(): Array<[string, unknown]> {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const getter = {};
  Object.defineProperty(getter, 'explodes', {
    enumerable: true,
    get: () => {
      throw new Error('getter exploded');
    },
  });
  const causeA = new Error('cause a');
  const causeB = new Error('cause b', { cause: causeA });
  (causeA as { cause?: unknown }).cause = causeB;
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.kind = 'null prototype';
  return [
    ['circular object', circular],
    ['bigint', { big: 12345678901234567890n }],
    ['symbol', { tag: Symbol('tag') }],
    ['throwing getter', getter],
    [
      'throwing toJSON',
      {
        toJSON: () => {
          throw new Error('toJSON exploded');
        },
      },
    ],
    ['2 MiB string', 'x'.repeat(2 * 1024 * 1024)],
    ['lone surrogates', 'before \ud800 middle \udfff after'],
    ['null prototype', nullProto],
    ['non-error throwable', { thrown: 'just a string' }],
    ['error with cause cycle', causeB],
    ['__proto__ field', JSON.parse('{"__proto__": {"isAdmin": true}}')],
  ];
}

type Value = Record<string, unknown> & { cause?: Value };

/**
 * What each case must still say once logged, checked on the `value` a sink received (parsed back
 * from its JSON). A 2 MiB string may be shortened by a sink with a size limit, never emptied.
 */
export const READABLE: Record<string, (value: unknown) => boolean> = {
  'circular object': (value) => (value as Value).name === 'loop' && (value as Value).self === '[Circular]',
  bigint: (value) => String((value as Value).big).startsWith('123456789012345'),
  symbol: (value) => (value as Value).tag === 'Symbol(tag)',
  'throwing getter': (value) => /getter exploded/.test(String((value as Value).explodes)),
  'throwing toJSON': (value) => /toJSON exploded/.test(String(value)),
  '2 MiB string': (value) => typeof value === 'string' && /^x{1000}/.test(value),
  'lone surrogates': (value) => value === 'before \ufffd middle \ufffd after',
  'null prototype': (value) => (value as Value).kind === 'null prototype',
  'non-error throwable': (value) => (value as Value).thrown === 'just a string',
  'error with cause cycle': (value) => (value as Value).message === 'cause b' && (value as Value).cause?.message === 'cause a',
  // Kept as an own field, never turned into a prototype; Bugsnag shows it as `[__proto__]`.
  '__proto__ field': (value) => {
    const own = Object.getOwnPropertyDescriptor(value, '__proto__');
    const held = own ? own.value : (value as Value)['[__proto__]'];
    return Object.getPrototypeOf(value) === Object.prototype && (held as Value | undefined)?.isAdmin === true;
  },
};
