// The physical floor of each part of a line's trip through the log worker, on this machine: each
// step alone, in a loop over the CPU scenario's line, timed as CPU (process.cpuUsage), so other
// processes on the machine change the figure less than wall time would. No worker, no I/O except
// where the step is I/O. `npm run build && node dist/bench/floors.js`
import { createHash } from 'node:crypto';
import { openSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import pino from 'pino';
import { readPrefixLevel, readPrefixTimeAfter } from '../src/wire/line-prefix.js';
import { writeEventJson } from '../transports/cloudwatch/put-body.js';
import { summarize } from './stats.js';

const ROUNDS = 5;
const LINES = 200_000;

function sampleLine(): string {
  let line = '';
  const log = pino(
    {},
    {
      write: (text: string) => {
        line = text;
      },
    },
  ).child({ module: 'bench', service: 'api' });
  log.info({ a: 1, b: 'x', i: 123456, user: { id: 'u-42', org: 'acme' } }, 'hello world');
  return line.slice(0, -1);
}

const line = sampleLine();
const lineBytes = Buffer.from(line);
const QUOTE_OR_BACKSLASH = /["\\]/g;
const chunkText = `${line}\n`.repeat(Math.floor((64 * 1024) / (line.length + 1)));
const chunkBytes = Buffer.from(chunkText);
const linesPerChunk = chunkText.length / (line.length + 1);
const out = Buffer.allocUnsafe(16 * 1024 * 1024);
let sink = 0;

/** CPU ns per line of `step`, which handles `perCall` lines a call. */
function cpuNsPerLine(step: () => void, perCall = 1): number {
  const calls = Math.ceil(LINES / perCall);
  for (let i = 0; i < Math.min(calls, 2000); i++) step(); // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) step();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / (calls * perCall);
}

const devNull = openSync('/dev/null', 'w');
const decoder = new StringDecoder('utf8');
const STEPS: Array<[string, () => number]> = [
  [
    'decode a 64 KiB chunk from the shared buffer (thread-stream)',
    () => cpuNsPerLine(() => (sink += decoder.write(chunkBytes).length), linesPerChunk),
  ],
  [
    'cut a chunk into lines (indexOf + slice)',
    () =>
      cpuNsPerLine(() => {
        let start = 0;
        for (let end = chunkText.indexOf('\n'); end >= 0; end = chunkText.indexOf('\n', start)) {
          sink += chunkText.slice(start, end).length;
          start = end + 1;
        }
      }, linesPerChunk),
  ],
  ['read the level (router, line-prefix.ts)', () => cpuNsPerLine(() => (sink += readPrefixLevel(line)))],
  ['read the time after it (CloudWatch sink, line-prefix.ts)', () => cpuNsPerLine(() => (sink += readPrefixTimeAfter(line, 30)))],
  ['count UTF-8 bytes (Buffer.byteLength)', () => cpuNsPerLine(() => (sink += Buffer.byteLength(line)))],
  ["copy into the queue's Buffer (Buffer.write utf8)", () => cpuNsPerLine(() => (sink += out.write(line, 0, 'utf8')))],
  ['the same with a length argument (the queue before)', () => cpuNsPerLine(() => (sink += out.write(line, 0, lineBytes.length, 'utf8')))],
  [
    'write the event JSON from bytes (put-body.ts)',
    () => cpuNsPerLine(() => (sink += writeEventJson(out, 0, 1764072000000, lineBytes, 0, lineBytes.length))),
  ],
  ['JSON.stringify the line as a string value (before)', () => cpuNsPerLine(() => (sink += JSON.stringify(line).length))],
  // Escaping on the string side with V8's own search, then one native encode: slower than the byte loop.
  [
    'escape with replace(/["\\\\]/g) and write the result',
    () => cpuNsPerLine(() => (sink += out.write(line.replace(QUOTE_OR_BACKSLASH, '\\$&'), 0, 'utf8'))),
  ],
  [
    "escape with replaceAll('\"') and write the result",
    () => cpuNsPerLine(() => (sink += out.write(line.replaceAll('"', '\\"'), 0, 'utf8'))),
  ],
  [
    'SHA-256 of the event JSON, 1 MiB at a time (SigV4 payload hash)',
    () =>
      cpuNsPerLine(
        () =>
          (sink += createHash('sha256')
            .update(out.subarray(0, 1024 * 1024))
            .digest().length),
        (1024 * 1024) / (line.length + 45),
      ),
  ],
  [
    'write a 64 KiB chunk to /dev/null (stdout sink, one syscall)',
    () => cpuNsPerLine(() => (sink += writeSync(devNull, chunkText)), linesPerChunk),
  ],
];

process.stdout.write(`line: ${line.length} bytes\n\n| step | CPU ns/line (median of ${ROUNDS}, min–max) |\n|---|---|\n`);
for (const [name, measure] of STEPS) {
  const figures = Array.from({ length: ROUNDS }, measure);
  const s = summarize(figures);
  process.stdout.write(`| ${name} | ${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)}) |\n`);
}
if (sink === 0) process.stdout.write('\n');
