import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LEVELS } from '../src/wire/protocol.js';
import { BreadcrumbRing } from '../transports/bugsnag/breadcrumbs.js';
import { levelOf, routeLines } from '../transports/router/route.js';
import type { LineHandlers } from '../transports/shared/line-source.js';
import { ownCopy } from '../transports/shared/own-copy.js';

/** A sink that records what reached it; `throwOn` makes its onLine throw for lines containing that text. */
function recordingSink(throwOn?: string) {
  const seen = { lines: [] as string[], flushes: [] as number[], errors: [] as string[], closed: false };
  const handlers: LineHandlers = {
    onLine(line) {
      if (throwOn && line.includes(throwOn)) throw new Error(`cannot take ${throwOn}`);
      seen.lines.push(line);
    },
    onFlush: (flushId) => seen.flushes.push(flushId),
    close: async () => {
      seen.closed = true;
    },
    onError: (error) => seen.errors.push((error as Error).message),
  };
  return { seen, handlers };
}

const line = (level: number, msg: string) => `{"level":${level},"time":1764072000000,"pid":1,"hostname":"h","msg":"${msg}"}`;

describe('the log worker router', () => {
  it('hands each line to every sink whose level it reaches, in order', () => {
    const console = recordingSink();
    const cloudwatch = recordingSink();
    const bugsnag = recordingSink();
    const router = routeLines([
      { minLevel: LEVELS.info, handlers: console.handlers },
      { minLevel: LEVELS.error, handlers: cloudwatch.handlers },
      { minLevel: LEVELS.trace, handlers: bugsnag.handlers },
    ]);
    for (const [level, msg] of [
      [LEVELS.debug, 'd'],
      [LEVELS.info, 'i'],
      [LEVELS.error, 'e'],
      [LEVELS.fatal, 'f'],
    ] as const)
      router.onLine(line(level, msg));
    const messages = (lines: string[]) => lines.map((text) => JSON.parse(text).msg);
    assert.deepEqual(messages(console.seen.lines), ['i', 'e', 'f']);
    assert.deepEqual(messages(cloudwatch.seen.lines), ['e', 'f']);
    assert.deepEqual(messages(bugsnag.seen.lines), ['d', 'i', 'e', 'f']);
  });

  it('a flush marker reaches every sink, whatever its level', () => {
    const quiet = recordingSink();
    const verbose = recordingSink();
    const router = routeLines([
      { minLevel: Number.POSITIVE_INFINITY, handlers: quiet.handlers },
      { minLevel: LEVELS.trace, handlers: verbose.handlers },
    ]);
    router.onFlush(7);
    assert.deepEqual([quiet.seen.flushes, verbose.seen.flushes], [[7], [7]]);
  });

  it("one sink's throw is reported to that sink and the others still get the line", () => {
    const failing = recordingSink('poison');
    const healthy = recordingSink();
    const router = routeLines([
      { minLevel: LEVELS.trace, handlers: failing.handlers },
      { minLevel: LEVELS.trace, handlers: healthy.handlers },
    ]);
    router.onLine(line(LEVELS.info, 'poison'));
    router.onLine(line(LEVELS.info, 'fine'));
    assert.deepEqual(failing.seen.errors, ['cannot take poison']);
    assert.equal(failing.seen.lines.length, 1);
    assert.equal(healthy.seen.lines.length, 2);
  });

  it('close waits for every sink, even when one fails to close', async () => {
    const failing = recordingSink();
    failing.handlers.close = async () => {
      throw new Error('endpoint gone');
    };
    const healthy = recordingSink();
    const router = routeLines([
      { minLevel: LEVELS.trace, handlers: failing.handlers },
      { minLevel: LEVELS.trace, handlers: healthy.handlers },
    ]);
    await router.close();
    assert.equal(healthy.seen.closed, true);
  });

  it('reads the level from the first bytes, from the whole line when fields come in another order, or takes info', () => {
    assert.equal(levelOf(line(LEVELS.warn, 'w')), LEVELS.warn);
    assert.equal(levelOf('{"time":1,"level":50,"msg":"reordered"}'), LEVELS.error);
    assert.equal(levelOf('not json at all'), LEVELS.info);
    assert.equal(levelOf('{"msg":"no level"}'), LEVELS.info);
  });
});

describe('lines held by a sink', () => {
  it('an own copy of a line does not keep the chunk it was cut from alive', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heldWith = (copy: (line: string) => string): number => {
      gc();
      const before = process.memoryUsage().heapUsed;
      // One short line kept from each of 40 one-MiB chunks, as a sink keeps a rare transactional line.
      const kept = Array.from({ length: 40 }, (_, i) => {
        const chunk = `${'x'.repeat(1024 * 1024)}\n{"level":30,"msg":"kept ${i}"}\n`;
        return copy(chunk.split('\n')[1] as string);
      });
      gc();
      const held = process.memoryUsage().heapUsed - before;
      assert.equal(kept.length, 40);
      return held;
    };
    const MiB = 1024 * 1024;
    // The control proves the measurement: a plain substring pins its chunk.
    assert.ok(heldWith((line) => line) > 30 * MiB);
    assert.ok(heldWith(ownCopy) < 2 * MiB);
  });

  it('breadcrumbs cut from chunks keep at most the chunk being read alive, and read back as the lines they were', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const MiB = 1024 * 1024;
    gc();
    const before = process.memoryUsage().heapUsed;
    const ring = new BreadcrumbRing(50);
    // A breadcrumb or two from each of 40 one-MiB chunks, each held as a view into its chunk
    // until the next chunk's first line comes.
    for (let i = 0; i < 40; i++) {
      const chunk = `${'x'.repeat(MiB)}\n{"level":30,"time":${i},"msg":"first ${i}"}\n{"level":30,"time":${i},"msg":"second ${i}"}\n`;
      const [, first, second] = chunk.split('\n') as [string, string, string];
      ring.add(first, i);
      if (i % 2 === 0) ring.add(second, i);
    }
    gc();
    const held = process.memoryUsage().heapUsed - before;
    // The last chunk (1 MiB) is still pinned by its line; the 39 before are not.
    assert.ok(held < 4 * MiB, `${(held / MiB).toFixed(1)} MiB held`);
    const messages = ring.snapshot().map((crumb) => crumb.message);
    assert.equal(messages.length, 50);
    assert.deepEqual(messages.slice(-4), ['first 37', 'first 38', 'second 38', 'first 39']);
  });
});
