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
