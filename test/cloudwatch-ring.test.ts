import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_OVERHEAD_BYTES } from '../src/wire/cloudwatch-limits.js';
import { utf8Bytes } from '../src/wire/utf8.js';
import { EventQueue } from '../transports/cloudwatch/event-queue.js';
import { RecordRing } from '../transports/cloudwatch/record-ring.js';
import { seededRandom as randomSource } from './support/seeded-random.js';

const ALPHABET = ['a', 'b', '{', '"', 'é', '日', '😀', ' ', '9'];

function randomMessage(random: () => number, maxChars: number): string {
  let text = '';
  const chars = Math.floor(random() * maxChars);
  for (let i = 0; i < chars; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}

describe('record ring: the off-heap store behind the CloudWatch queue', () => {
  it('returns every message and its times in order across wraps, growth, compaction and shrinking', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const random = randomSource(seed);
      const ring = new RecordRing();
      const model: Array<{ message: string; timestamp: number; queuedAt: number }> = [];
      for (let step = 0; step < 40_000; step++) {
        const roll = random();
        // Bursts of large messages make it grow; steady traffic makes it wrap; emptying shrinks it.
        const maxChars = step % 5000 < 200 ? 40_000 : 300;
        if (roll < 0.55) {
          const message = randomMessage(random, maxChars);
          const timestamp = step * 3 + 0.5;
          ring.push(message, utf8Bytes(message), timestamp, step);
          model.push({ message, timestamp, queuedAt: step });
        } else if (roll < 0.97) {
          if (model.length === 0) continue;
          const expected = model.shift() as (typeof model)[number];
          assert.equal(ring.headTimestamp, expected.timestamp, `seed ${seed} step ${step}`);
          assert.equal(ring.headQueuedAt, expected.queuedAt);
          assert.equal(ring.headBytes, utf8Bytes(expected.message));
          if (roll < 0.9) assert.equal(ring.shift(), expected.message, `seed ${seed} step ${step}`);
          else ring.drop();
        } else if (roll < 0.975) {
          ring.clear();
          model.length = 0;
        }
        assert.equal(ring.length, model.length);
      }
      assert.equal(
        ring.bytes,
        model.reduce((sum, record) => sum + utf8Bytes(record.message), 0),
      );
      while (model.length > 0) assert.equal(ring.shift(), model.shift()?.message);
    }
  });

  it('keeps a full ring at its size: pushing and dropping at a steady level does not grow it', () => {
    const ring = new RecordRing();
    const line = 'x'.repeat(240);
    for (let i = 0; i < 20_000; i++) ring.push(line, 240, i, i);
    const settled = ring.capacityBytes;
    for (let i = 0; i < 200_000; i++) {
      ring.drop();
      ring.push(line, 240, i, i);
    }
    assert.equal(ring.capacityBytes, settled);
    assert.ok(settled < 20_000 * (240 + EVENT_OVERHEAD_BYTES) * 1.5, `${settled} bytes for 20,000 lines of 240`);
  });

  it('gives memory back once emptied after an outage', () => {
    const ring = new RecordRing();
    const line = 'y'.repeat(1000);
    for (let i = 0; i < 20_000; i++) ring.push(line, 1000, i, i);
    assert.ok(ring.capacityBytes > 20_000_000);
    while (ring.length > 0) ring.drop();
    assert.ok(ring.capacityBytes < 1_000_000, `${ring.capacityBytes} bytes held while empty`);
  });

  it('refuses a message whose byte count is wrong instead of storing a cut one', () => {
    const ring = new RecordRing();
    assert.throws(() => ring.push('日本', 2, 0, 0), /counted as 2 bytes/);
  });
});

describe('event queue at its cap', () => {
  it('holds the lines within maxQueueBytes of memory, not V8 strings', () => {
    const cap = 2 * 1024 * 1024;
    const queue = new EventQueue(cap);
    const line = JSON.stringify({ level: 30, msg: 'Organization was successfully added', pad: 'p'.repeat(180) });
    let dropped = 0;
    for (let i = 0; i < 100_000; i++) dropped += queue.push(i, line, utf8Bytes(line), i);
    assert.ok(queue.bytes <= cap);
    assert.equal(queue.length + dropped, 100_000);
    assert.equal(queue.firstSeq, dropped + 1);
    assert.equal(queue.lastSeq, 100_000);
    const batch = queue.takeBatch(Date.now());
    assert.equal(batch?.firstSeq, dropped + 1);
    assert.equal(batch?.events[0]?.message, line);
  });
});
