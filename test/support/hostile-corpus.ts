/** A Proxy whose every trap throws, as a value or a whole argument. */
export function throwingProxy(): object {
  const trap = (name: string) => () => {
    throw new Error(`${name} trap exploded`);
  };
  return new Proxy({}, { get: trap('get'), ownKeys: trap('ownKeys'), getPrototypeOf: trap('getPrototypeOf'), has: trap('has') });
}

/** Every getter returns a fresh object with `width` more getters: a naive walk never ends. */
export function lazyGetterTree(width = 3): object {
  const node = {};
  for (let i = 0; i < width; i++) Object.defineProperty(node, `k${i}`, { enumerable: true, get: () => lazyGetterTree(width) });
  return node;
}

/** The cases that once threw, hung, ran out of memory or blocked: each also runs in a process of its own. */
export const HEAVY_CASES = ['throwing proxy', 'lazy getter tree', '10 MB Buffer', '50 MB string'] as const;

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
    ['throwing proxy', throwingProxy()],
    ['lazy getter tree', lazyGetterTree()],
    ['10 MB Buffer', Buffer.alloc(10 * 1024 * 1024, 1)],
    ['50 MB string', 'x'.repeat(50 * 1024 * 1024)],
    [
      'Map and Set',
      {
        map: new Map<string, unknown>([
          ['region', 'eu'],
          ['password', 'hunter2'],
        ]),
        set: new Set([1, 'two']),
      },
    ],
    ['shared reference', sharedReference()],
  ];
}

function sharedReference(): unknown {
  const shared = { password: 'hunter2', id: 7 };
  return { a: shared, b: shared };
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
  'throwing proxy': (value) => /^\[Unreadable: .*trap exploded\]$/.test(String(value)),
  // Cut by the walk's budget: some of the tree is there, and the end says it was cut.
  'lazy getter tree': (value) => typeof (value as Value).k0 === 'object' && /Cut by logferry/.test(JSON.stringify(value)),
  '10 MB Buffer': (value) => value === '[Buffer of 10485760 bytes]',
  '50 MB string': (value) => typeof value === 'string' && /^x{1000}/.test(value) && /…\[truncated by logferry: \d+ bytes\]$/.test(value),
  'Map and Set': (value) => {
    const { map, set } = value as { map: Value; set: unknown[] };
    return map.region === 'eu' && /^\[redacted\]$/i.test(String(map.password)) && JSON.stringify(set) === '[1,"two"]';
  },
  // Bugsnag censors the same keys again, in its own capitals.
  'shared reference': (value) =>
    /^\{"a":\{"password":"\[redacted\]","id":7\},"b":\{"password":"\[redacted\]","id":7\}\}$/i.test(JSON.stringify(value)),
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
