// The app-thread CPU cost of the scenario-1 lines (log.info and the five-field line), scenario 7's
// nested line and a mix of eight field shapes, in several built trees of logferry, measured in one
// process so that load from elsewhere on the machine falls on every tree alike: each tree's
// pipeline (its own pino with what its src/loggers/build-root.ts adds, writing to a no-op destination) runs in
// rounds of batches of 20,000 calls, and the medians of the batches and of each round's ratio to
// the first tree are reported (docs/security.md, Cost).
// Run: `npm run build && node dist/bench/guard-cost.js <tree> <tree>…` where each tree is a
// checkout with node_modules and dist (e.g. `git archive 6362efe | tar -x -C /tmp/base`, then
// `npm ci && npm run build` there). A tree before the logMethod guard is built the way it was:
// its log formatter sanitizes the fields.
import { createRequire } from 'node:module';
import { basename, join, sep } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fiveFields } from './audit-line.js';

interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
type Options = { formatters: { log: (fields: Record<string, unknown>) => Record<string, unknown> } } & Record<string, unknown>;
interface TreeModules {
  pino: (options: Record<string, unknown>, destination: { write: (line: string) => void }) => Logger;
  sanitize: unknown;
  sanitizingOptions?: (sanitize: unknown, maxLineBytes: number) => Options;
  logFormatters?: (sanitize: unknown) => Options['formatters'];
  guardChildren?: (root: Logger, sanitize: unknown, log: Options['formatters']['log']) => void;
  isErrorLike?: (value: unknown) => boolean;
}

const BATCH_CALLS = 20_000;
// A full collection before each timed batch: otherwise the garbage one tree leaves is collected,
// and counted, in the next tree's batch, and a tree that allocates more slows its neighbour.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const BATCHES = Number(process.env.GUARD_COST_BATCHES ?? '30');

function load(tree: string): TreeModules {
  const from = createRequire(join(tree, 'package.json'));
  // Trees that share node_modules (a symlink) would share one pino, whose code V8 would then
  // optimize for every tree's objects at once, as no app's pino is: each tree loads its own.
  for (const file of Object.keys(from.cache)) if (file.includes(`${sep}node_modules${sep}`)) delete from.cache[file];
  // A tree from before src/ was split into folders names its files the old way: try both.
  const src = (...files: string[]): Record<string, unknown> => {
    for (const file of files) {
      try {
        return from(join(tree, 'dist/src', file)) as Record<string, unknown>;
      } catch {}
    }
    throw new Error(`${tree}: none of ${files.join(', ')} in dist/src`);
  };
  const { createSanitizer } = src('sanitize/sanitizer.js', 'sanitize.js') as { createSanitizer: (matcher: unknown) => unknown };
  const { createKeyMatcher, DEFAULT_REDACT_KEYS } = src('redact/secret-keys.js', 'redact-keys.js') as {
    createKeyMatcher: (names: unknown) => unknown;
    DEFAULT_REDACT_KEYS: unknown;
  };
  const root = src('loggers/build-root.js', 'root.js') as Pick<TreeModules, 'sanitizingOptions' | 'logFormatters'>;
  const guard = root.sanitizingOptions ? (src('guard/log-call-guard.js', 'log-call-guard.js') as Pick<TreeModules, 'guardChildren'>) : {};
  const errors = src('wire/serialized-error.js', 'serialize-error.js') as Pick<TreeModules, 'isErrorLike'>;
  return {
    pino: from('pino') as TreeModules['pino'],
    sanitize: createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS)),
    ...root,
    ...guard,
    ...errors,
  };
}

function build(tree: string): { log: Logger; audit: Logger } {
  const m = load(tree);
  const destination = { write: () => undefined };
  let root: Logger;
  if (m.sanitizingOptions && m.guardChildren) {
    const options = m.sanitizingOptions(m.sanitize, 1024 * 1024);
    root = m.pino(options, destination);
    m.guardChildren(root, m.sanitize, options.formatters.log);
  } else if (m.logFormatters && m.isErrorLike) {
    const { isErrorLike, sanitize } = m;
    const sanitizeFields = sanitize as (fields: Record<string, unknown>) => Record<string, unknown>;
    const err = (value: unknown) => (isErrorLike(value) ? sanitizeFields({ err: value }).err : value);
    root = m.pino({ formatters: m.logFormatters(sanitize), serializers: { err } }, destination);
  } else throw new Error(`${tree}: neither sanitizingOptions nor logFormatters in dist/src`);
  return { log: root.child({ module: 'bench', service: 'api' }), audit: root.child({ channel: 'transactional' }) };
}

// The body of each line's loop. Every tree runs its own compiled copy, so the call sites in it
// see one tree's logger only, and what V8 learns running one tree does not shape another's code.
const LINES: Record<string, string> = {
  'log.info': `l.log.info({ a: 1, b: 'x' }, 'hello world');`,
  'five-field line': `l.audit.info(fiveFields(i), 'Organization was successfully added');`,
  // Scenario 7's line: one clean nested object.
  'nested line': `l.log.info({ a: 1, b: 'x', i, user: { id: 'u-42', org: 'acme' } }, 'hello world');`,
  // An app logs fields of many shapes through the same logferry code, as the single lines above
  // do not: eight five-field shapes in turn, so the call sites inside logferry and pino see them all.
  'eight shapes in turn': `switch (i & 7) { ${Array.from(
    { length: 8 },
    (_, k) =>
      `case ${k}: l.audit.info({ k${k}: i, organizationId: 'org-' + (i % 100), userEmail: 'ada@example.com', plan: 'team', seats: 12 }, 'Shape ${k} line'); break;`,
  ).join(' ')} }`,
};
type Loop = (loggers: { log: Logger; audit: Logger }, line: typeof fiveFields, calls: number) => void;
const compile = (body: string): Loop => new Function('l', 'fiveFields', 'calls', `for (let i = 0; i < calls; i++) ${body}`) as Loop;

const trees = process.argv.slice(2);
if (trees.length === 0) throw new Error('usage: node dist/bench/guard-cost.js <tree> [<tree>…]');
const loggers = trees.map(build);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;
for (const [name, body] of Object.entries(LINES)) {
  const loops = loggers.map(() => compile(body));
  const run = (k: number) => loops[k]?.(loggers[k] as { log: Logger; audit: Logger }, fiveFields, BATCH_CALLS);
  for (let k = 0; k < loggers.length; k++) for (let warm = 0; warm < 3; warm++) run(k);
  const perTree = loggers.map(() => [] as number[]);
  const ratios = loggers.map(() => [] as number[]);
  for (let batch = 0; batch < BATCHES; batch++) {
    // Each round starts at another tree, so no tree always runs right after the same one.
    const round: number[] = [];
    for (let step = 0; step < loggers.length; step++) {
      const k = (batch + step) % loggers.length;
      collectGarbage();
      const start = process.cpuUsage();
      run(k);
      const used = process.cpuUsage(start);
      round[k] = ((used.user + used.system) * 1000) / BATCH_CALLS;
    }
    round.forEach((ns, k) => {
      perTree[k]?.push(ns);
      ratios[k]?.push(ns / (round[0] ?? Number.NaN));
    });
  }
  // The ratio is the median of each round's ratio to the first tree: rounds run close together,
  // so load that comes and goes cancels out better than in a ratio of medians.
  const cells = trees.map(
    (tree, k) => `${basename(tree)} ${median(perTree[k] ?? []).toFixed(0)} ns (${median(ratios[k] ?? []).toFixed(3)}×)`,
  );
  process.stdout.write(`${name}: ${cells.join(', ')}\n`);
}
