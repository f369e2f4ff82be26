import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeRecord, offsetOf, position, SEGMENT_MAGIC, segmentOf } from '../src/wire/spool-format.js';
import { countRecords, type ReaderEvents, SpoolReader } from '../transports/cloudwatch/spool/spool-reader.js';

// The spool reader streams records from disk as the queue makes room: never more than asked,
// every record once and in order, damage and missing segments said, not thrown.

const dir = mkdtempSync(join(tmpdir(), 'logferry-spool-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const path = (segment: number) => join(dir, `seg.${segment}.log`);
function writeSegment(segment: number, lines: string[], tail: Buffer = Buffer.alloc(0)): void {
  writeFileSync(path(segment), Buffer.concat([SEGMENT_MAGIC, ...lines.map((line) => encodeRecord(line)), tail]));
}

interface Seen {
  lines: string[];
  missing: number[];
  damaged: Array<[number, string, number]>;
}

function events(seen: Seen, room: { left: number }): ReaderEvents {
  return {
    hasRoom: (bytes) => room.left >= bytes,
    line: (line, _end, bytes) => {
      room.left -= bytes;
      seen.lines.push(line);
    },
    missing: (segment) => seen.missing.push(segment),
    damaged: (segment, damage, before) => seen.damaged.push([segment, damage, before]),
  };
}

describe('spool reader', () => {
  it('hands on records only while the queue has room, then resumes where it stopped, across segments and a missing one', () => {
    const first = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(i * 100)}`);
    const third = ['after the gap ✓', 'last'];
    writeSegment(0, first);
    writeSegment(2, third);
    const reader = new SpoolReader(position(0, SEGMENT_MAGIC.length), path);
    const seen: Seen = { lines: [], missing: [], damaged: [] };
    let reads = 0;
    for (let done = false; !done; reads++) {
      done = reader.read(2, undefined, events(seen, { left: 20_000 }));
    }
    assert.ok(reads > 5, `read in ${reads} goes: room was limited`);
    assert.deepEqual(seen.lines, [...first, ...third]);
    assert.deepEqual(seen.missing, [1]);
    assert.deepEqual(seen.damaged, []);
    assert.equal(segmentOf(reader.at), 2);
  });

  it('stops at the position it is given and goes on from there when it moves', () => {
    writeSegment(5, ['a', 'b', 'c']);
    const afterB = SEGMENT_MAGIC.length + encodeRecord('a').length + encodeRecord('b').length;
    const reader = new SpoolReader(position(5, SEGMENT_MAGIC.length), path);
    const seen: Seen = { lines: [], missing: [], damaged: [] };
    assert.equal(reader.read(5, position(5, afterB), events(seen, { left: 1e9 })), true);
    assert.deepEqual(seen.lines, ['a', 'b']);
    assert.equal(offsetOf(reader.at), afterB);
    reader.read(5, undefined, events(seen, { left: 1e9 }));
    assert.deepEqual(seen.lines, ['a', 'b', 'c']);
  });

  it('a torn last record and a corrupt one are said with the records before them; a foreign file too', () => {
    const torn = encodeRecord('cut short').subarray(0, 10);
    writeSegment(7, ['one', 'two'], torn);
    const corrupt = Buffer.from(encodeRecord('flipped'));
    corrupt[corrupt.length - 1] = (corrupt.at(-1) as number) ^ 0xff;
    writeSegment(8, ['three'], Buffer.concat([corrupt, encodeRecord('after')]));
    writeFileSync(path(9), 'not a spool segment at all');
    const reader = new SpoolReader(position(7, SEGMENT_MAGIC.length), path);
    const seen: Seen = { lines: [], missing: [], damaged: [] };
    assert.equal(reader.read(9, undefined, events(seen, { left: 1e9 })), true);
    assert.deepEqual(seen.lines, ['one', 'two', 'three']);
    assert.deepEqual(seen.damaged, [
      [7, 'torn', 2],
      [8, 'corrupt', 1],
      [9, 'foreign', 0],
    ]);
  });

  it('counts records by their lengths, and those up to a position', () => {
    writeSegment(11, ['a', 'bb', 'ccc'], encodeRecord('torn').subarray(0, 9));
    const afterA = SEGMENT_MAGIC.length + encodeRecord('a').length;
    assert.deepEqual(countRecords(path(11), SEGMENT_MAGIC.length, afterA), { records: 3, before: 1 });
    assert.deepEqual(countRecords(path(12), SEGMENT_MAGIC.length, 0), { records: 0, before: 0 });
  });
});
