// Reads a V8 .cpuprofile (from --cpu-prof, e.g. bench/worker-harness.ts with HARNESS_PROFILE) and
// prints where the time went: self time by part of the log worker, then the heaviest functions.
// A function's part is decided by the file it is in (and its name, for V8 builtins).
//   node dist/bench/profile-summary.js <file.cpuprofile> [lines]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** [part, test on "url functionName"]; the first that matches wins. */
const PARTS: Array<[string, RegExp]> = [
  ['(idle)', /^ \(idle\)$/],
  ['inspector (profile itself)', /node:inspector/],
  ['(garbage collector)', /\(garbage collector\)/],
  ['harness (making the lines, feeding them)', /bench\/worker-harness|node_modules\/pino\/|fast-json|sonic-boom.*bench/],
  [
    'split into lines (line-source, split2, streams, decoder)',
    /line-source|split2|internal\/streams|string_decoder|pino-abstract-transport/,
  ],
  ['router (level of each line)', /router\/|src\/wire|line-prefix/],
  ['stdout sink (join, write to fd 1)', /stdout\/index|sonic-boom|fs\.js .*[wW]rite/],
  ['request body: escaping the messages into JSON (client.ts, put-body.ts)', /cloudwatch\/client|put-body|batch-event/],
  ['CloudWatch per line: time, byte count, copy into the queue', /cloudwatch\/index|truncate\.js|shared\/utf8|sink-reporter|record-ring/],
  ['CloudWatch batch cut and sender', /cloudwatch\/sender|batcher|flush-waiters|backoff/],
  ['SigV4 signing and hashing', /signature-v4|hash-node|sha256|crypto/],
  ['AWS SDK (middleware, serde, response)', /@aws-sdk|@smithy|@aws-crypto|fast-xml|tslib/],
  ['HTTP and sockets (node)', /node:(_)?http|_http_|internal\/http|net\.js|node:net|stream_base|tls|dns/],
  ['Bugsnag sink', /bugsnag/],
];

const [file, linesArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [lines]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const lines = Number(linesArg ?? 0);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
// The first delta runs from the profiler's start to the first sample: not the worker's time.
profile.samples.forEach((id, i) => {
  if (i > 0) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

// A sample belongs to the innermost frame on its stack that is in a known part: a builtin
// (Buffer.from, a RegExp) counts for whoever called it.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const frameKey = (node: ProfileNode) => `${node.callFrame.url} ${node.callFrame.functionName}`;
function partOfStack(id: number): string {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node) break;
    const part = PARTS.find(([, test]) => test.test(frameKey(node)))?.[0];
    if (part) return part;
  }
  return 'other';
}
const parts = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  const name = node
    ? `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${node.callFrame.lineNumber}`
    : '?';
  const part = partOfStack(id);
  parts.set(part, (parts.get(part) ?? 0) + us);
  functions.set(`${name} [${part}]`, (functions.get(`${name} [${part}]`) ?? 0) + us);
  if (part !== '(idle)') total += us;
}
const perLine = (us: number) => (lines ? ` | ${((us * 1000) / lines).toFixed(0)}` : '');
process.stdout.write(`| part | ms${lines ? ' | ns/line' : ''} | share of busy |\n|---|---|${lines ? '---|' : ''}---|\n`);
for (const [part, us] of [...parts].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(
    `| ${part} | ${(us / 1000).toFixed(0)}${perLine(us)} | ${part === '(idle)' ? '' : `${((us / total) * 100).toFixed(1)}%`} |\n`,
  );
}
process.stdout.write(`| busy total | ${(total / 1000).toFixed(0)}${perLine(total)} | |\n\nheaviest functions (self ms):\n`);
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 40))
  process.stdout.write(`${(us / 1000).toFixed(1).padStart(8)}  ${name}\n`);
