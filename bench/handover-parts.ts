// What each part of logferry's app-thread path costs, on one thread, for the two scenario-1 lines:
// pino's serializer alone, plus logferry's sanitizer and context, plus the 64 KiB hand-over
// (UTF-8 bytes of each chunk, as thread-stream makes them), plus holding a burst's chunks until
// the loop yields. A fake thread-stream stands in for the worker, so no second thread competes.
// Run: `npm run build && node dist/bench/handover-parts.js` (each part in a process of its own, 5 rounds).
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { boundAppBacklog } from '../src/handover/app-backlog.js';
import type { WorkerStream } from '../src/handover/transport-stream.js';
import { sanitizingOptions } from '../src/loggers/build-root.js';
import { createKeyMatcher, DEFAULT_REDACT_KEYS } from '../src/redact/secret-keys.js';
import { createSanitizer } from '../src/sanitize/sanitizer.js';
import { summarize } from './stats.js';

const PARTS = ['serializer', '+ sanitizer and context', '+ hand-over in 64 KiB chunks', '+ burst held until the loop yields'] as const;
const ROUNDS = 5;

function measure(part: number): { infoNs: number; transactionalNs: number } {
  const held: Buffer[] = [];
  const fakeThreadStream: WorkerStream = {
    write(data) {
      const bytes = Buffer.from(data); // what thread-stream does with every write
      if (part >= 3) held.push(bytes);
      return true;
    },
    flushSync: () => undefined,
    flush: (callback) => callback(),
    end: () => undefined,
    on() {
      return this;
    },
    once() {
      return this;
    },
  };
  const options = part >= 1 ? sanitizingOptions(createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS)), 1024 * 1024) : {};
  const root = part >= 2 ? pino(options, boundAppBacklog(fakeThreadStream, 512 * 1024 * 1024)) : pino(options, { write: () => undefined });
  const log = root.child({ module: 'bench', service: 'api' });
  const audit = root.child({ channel: 'transactional' });
  const nsPerCall = (call: (i: number) => void): number => {
    for (let i = 0; i < 20_000; i++) call(i);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200_000; i++) call(i);
    return Number(process.hrtime.bigint() - start) / 200_000;
  };
  const infoNs = nsPerCall(() => log.info({ a: 1, b: 'x' }, 'hello world'));
  held.length = 0;
  const transactionalNs = nsPerCall((i) =>
    audit.info(
      { organizationId: `org-${i % 100}`, userEmail: 'ada@example.com', plan: 'team', seats: 12, actor: 'u-42' },
      'Organization was successfully added',
    ),
  );
  return { infoNs, transactionalNs };
}

if (process.argv[2] !== undefined) {
  process.stdout.write(JSON.stringify(measure(Number(process.argv[2]))));
} else {
  const figures = PARTS.map(() => ({ infoNs: [] as number[], transactionalNs: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let part = 0; part < PARTS.length; part++) {
      const child = spawnSync(process.execPath, [__filename, String(part)], { encoding: 'utf8' });
      const result = JSON.parse(child.stdout) as { infoNs: number; transactionalNs: number };
      figures[part]?.infoNs.push(result.infoNs);
      figures[part]?.transactionalNs.push(result.transactionalNs);
    }
  }
  process.stdout.write('| part | log.info ns/call (median, min–max) | transactional ns/call (median, min–max) |\n|---|---|---|\n');
  PARTS.forEach((name, part) => {
    const cell = (values: number[]) => {
      const s = summarize(values);
      return `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
    };
    process.stdout.write(`| ${name} | ${cell(figures[part]?.infoNs ?? [])} | ${cell(figures[part]?.transactionalNs ?? [])} |\n`);
  });
}
