import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';
import { endingReport } from '../src/lifecycle/ending-report.js';
import type { SinkFlushState } from '../src/lifecycle/flush.js';
import { readCloudWatchLine, shipsToCloudWatch } from '../src/wire/cloudwatch-lines.js';
import { flushMarkerLine, STAT_FIELDS } from '../src/wire/protocol.js';
import {
  encodeRecord,
  encodeRecordInto,
  nextPosition,
  offsetOf,
  position,
  RECORD_HEADER_BYTES,
  readSegment,
  SEGMENT_MAGIC,
  SPOOL_START,
  segmentOf,
  stateName,
} from '../src/wire/spool-format.js';
import { SpoolFiles } from '../transports/cloudwatch/spool/spool-files.js';

const segment = (...records: Buffer[]) => Buffer.concat([SEGMENT_MAGIC, ...records]);

describe('spool format', () => {
  it('a record reads back whole, multi-byte text included', () => {
    const lines = ['{"a":1}', 'é€😀'.repeat(1000), ''];
    const read = readSegment(segment(...lines.map(encodeRecord)));
    assert.deepEqual(
      read.records.map((record) => record.line),
      lines,
    );
    assert.equal(read.damage, undefined);
  });

  it('a record that does not fit the reused buffer is refused, not cut short', () => {
    const line = '😀'.repeat(10);
    assert.equal(encodeRecordInto(Buffer.alloc(RECORD_HEADER_BYTES + 39), line), 0);
    const roomy = Buffer.alloc(RECORD_HEADER_BYTES + 40);
    assert.equal(encodeRecordInto(roomy, line), RECORD_HEADER_BYTES + 40);
    assert.equal(readSegment(segment(roomy)).records[0]?.line, line);
  });

  it('a cut last record is torn and the records before it are kept; damage before the end is corrupt', () => {
    const good = encodeRecord('{"seq":1}');
    const next = encodeRecord('{"seq":2}');
    for (const cut of [1, RECORD_HEADER_BYTES, next.length - 1]) {
      const read = readSegment(segment(good, next.subarray(0, cut)));
      assert.equal(read.damage, 'torn');
      assert.deepEqual(
        read.records.map((record) => record.line),
        ['{"seq":1}'],
      );
    }
    const flipped = Buffer.from(next);
    flipped[RECORD_HEADER_BYTES] = 0;
    assert.equal(readSegment(segment(good, flipped)).damage, 'torn');
    const middle = readSegment(segment(good, flipped, encodeRecord('{"seq":3}')));
    assert.equal(middle.damage, 'corrupt');
    assert.equal(middle.records.length, 1);
    assert.equal(readSegment(Buffer.from('hello world, not a spool')).damage, 'foreign');
  });

  it('an empty segment, or one with its header cut short (full disk at its creation), holds nothing and no damage', () => {
    for (const bytes of [Buffer.alloc(0), SEGMENT_MAGIC.subarray(0, 3)])
      assert.deepEqual(readSegment(bytes), { records: [], damage: undefined });
  });

  it('positions move to the next segment at the segment size; a record larger than a segment gets one of its own', () => {
    const small = nextPosition(SPOOL_START, 100, 1000);
    assert.equal(small, SPOOL_START + RECORD_HEADER_BYTES + 100);
    let at = small;
    while (segmentOf(at) === 0) at = nextPosition(at, 100, 1000);
    assert.equal(offsetOf(at), SEGMENT_MAGIC.length + RECORD_HEADER_BYTES + 100);
    const big = nextPosition(position(3, SEGMENT_MAGIC.length), 5000, 1000);
    assert.equal(segmentOf(big), 3, 'the first record of a segment stays in it, however large');
  });
});

describe('which lines the spool keeps: the same as the CloudWatch sink ships', () => {
  const prefix = '{"level":30,"time":1700000000000,"pid":1,"hostname":"h"';
  const cases: Array<[string, string, boolean]> = [
    ['a transactional line', `${prefix},"channel":"transactional","msg":"x"}`, true],
    ['a line without the channel', `${prefix},"msg":"x"}`, false],
    ['a nested field called channel', `${prefix},"req":{"channel":"transactional"},"msg":"x"}`, false],
    ['a channel further along (parsed)', `${prefix},"module":"m","channel":"transactional"}`, true],
    ['a repeated channel key, the last one other (parsed)', `${prefix},"module":"m","channel":"transactional","channel":"other"}`, false],
    ['a line below the level', '{"level":20,"time":1,"pid":1,"hostname":"h","channel":"transactional"}', false],
    ['a flush marker', flushMarkerLine(7).trimEnd(), false],
  ];
  for (const [name, line, shipped] of cases) {
    it(`${name}: ${shipped ? 'kept' : 'not kept'}`, () => {
      assert.equal(shipsToCloudWatch(line, 30, true), shipped);
      if (!line.includes('logferryFlush') && !line.startsWith('{"level":20'))
        assert.equal(readCloudWatchLine(line, true).transactional, shipped);
    });
  }

  it('the time sent is the one the line was logged at', () => {
    assert.equal(readCloudWatchLine(`${prefix},"channel":"transactional"}`, true).time, 1_700_000_000_000);
    assert.equal(readCloudWatchLine(`${prefix},"msg":"x"}`, false).time, 1_700_000_000_000);
  });
});

describe('spool settings', () => {
  const cloudwatch = { CLOUDWATCH_LOG_GROUP: '/g', NODE_ENV: 'production' };

  it('LOG_SPOOL_DIR turns the spool on for the CloudWatch sink, with its defaults', () => {
    const config = loadConfig({ ...cloudwatch, LOG_SPOOL_DIR: '/var/spool/app' });
    assert.deepEqual(config.spool, {
      dir: '/var/spool/app',
      maxBytes: 64 * 1024 * 1024,
      fsync: false,
      rescanMs: 30_000,
      dirSetting: 'LOG_SPOOL_DIR',
    });
    assert.equal(
      loadConfig({ LOG_SPOOL_DIR: '/var/spool/app', NODE_ENV: 'production' }).spool,
      null,
      'nothing to spool without CloudWatch',
    );
  });

  it('options override the environment, and spool: false turns it off', () => {
    const env = { ...cloudwatch, LOG_SPOOL_DIR: '/from/env' };
    assert.equal(loadConfig(env, { spool: { dir: '/from/code', fsync: true } }).spool?.dir, '/from/code');
    assert.equal(loadConfig(env, { spool: { dir: '/from/code', fsync: true } }).spool?.dirSetting, 'spool.dir');
    assert.equal(loadConfig(env, { spool: false }).spool, null);
  });

  it('spool settings are checked even when CloudWatch is off', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'test' }, { spool: { dir: '/x', maxBytes: Number.NaN } }), {
      name: 'LogferryConfigError',
      message: /spool\.maxBytes=NaN/,
    });
    assert.throws(() => loadConfig({ NODE_ENV: 'test' }, { spool: { dir: '/x', fsync: 'banana' as unknown as boolean } }), {
      message: /spool\.fsync="banana"/,
    });
    assert.throws(() => loadConfig({ NODE_ENV: 'production', LOG_SPOOL_MAX_BYTES: 'banana' }), { message: /LOG_SPOOL_MAX_BYTES="banana"/ });
    assert.throws(() => loadConfig({ NODE_ENV: 'test', LOG_SPOOL_RESCAN_MS: '5' }), { message: /LOG_SPOOL_RESCAN_MS="5"/ });
  });

  it('a key spool does not take is a LogferryConfigError naming it; the directory is trimmed', () => {
    for (const key of ['directory', 'rescanMs']) {
      assert.throws(() => loadConfig({ NODE_ENV: 'test' }, { spool: { [key]: '/x' } as never }), {
        name: 'LogferryConfigError',
        message: new RegExp(`spool\\.${key}="/x" is not valid: remove it: spool takes dir, maxBytes, fsync`),
      });
    }
    assert.equal(loadConfig({ ...cloudwatch }, { spool: { dir: '  /tmp/x ' } }).spool?.dir, '/tmp/x');
    assert.equal(loadConfig({ ...cloudwatch, LOG_SPOOL_DIR: ' /tmp/y' }).spool?.dir, '/tmp/y');
  });

  it('a bad size or switch is a LogferryConfigError naming the setting', () => {
    assert.throws(() => loadConfig({ ...cloudwatch, LOG_SPOOL_DIR: '/s', LOG_SPOOL_MAX_BYTES: '10kb' }), {
      name: 'LogferryConfigError',
      message: /LOG_SPOOL_MAX_BYTES="10kb" is not valid: use a whole number of bytes from 1048576 \(1 MiB\)/,
    });
    assert.throws(() => loadConfig({ ...cloudwatch }, { spool: { dir: '/s', maxBytes: 5 } }), { message: /spool\.maxBytes=5/ });
    // Recovery feeds the memory queue, whose cap is at most 1 GiB: a larger spool could only be dropped.
    assert.throws(() => loadConfig({ ...cloudwatch, LOG_SPOOL_DIR: '/s', LOG_SPOOL_MAX_BYTES: String(2 * 1024 ** 3) }), {
      message: /LOG_SPOOL_MAX_BYTES="2147483648" is not valid: .*1 GiB/,
    });
    assert.throws(() => loadConfig({ ...cloudwatch, LOG_SPOOL_DIR: '/s', LOG_SPOOL_FSYNC: 'maybe' }), {
      message: /LOG_SPOOL_FSYNC="maybe"/,
    });
  });
});

describe('spool in the ending report', () => {
  it('possible duplicates from a recovered spool are not put down to a lost answer alone', () => {
    const stats = Object.fromEntries(STAT_FIELDS.map((field) => [field, 0])) as unknown as SinkFlushState;
    const cloudwatch = { ...stats, settled: true, flushed: true, droppedSinceLastFlush: 0, recovered: 40, possibleDuplicates: 12 };
    const flush = { delivered: true, settled: true, dropped: 0, timedOut: false, closed: false, elapsedMs: 1, sinks: { cloudwatch } };
    assert.deepEqual(endingReport(flush, 'exit', 5000), [
      'logferry: possible duplicates: cloudwatch may hold 12 lines twice (resent after no answer, or recovered from a spool)',
    ]);
  });
});

describe('spool files of one owner', () => {
  it('removing them all also removes a temporary state file a killed holder left before its rename', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logferry-spool-files-'));
    try {
      const files = new SpoolFiles(dir, 'h-1-2-n3', 'h-4-5-n3', false);
      files.writeState({ accepted: SPOOL_START, sending: SPOOL_START });
      const leftover = `${stateName('h-1-2-n3')}.h-9-9-n3.tmp`;
      writeFileSync(join(dir, leftover), '{"half":', { mode: 0o600 });
      writeFileSync(join(dir, 'unrelated.tmp'), 'x', { mode: 0o600 });
      files.removeAll();
      assert.deepEqual(readdirSync(dir), ['unrelated.tmp']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
