import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LogferryConfigError } from '../errors.js';
import type { SharedState } from '../wire.js';
import { statIndex } from '../wire.js';
import type { ResolvedSpool } from './config.js';
import {
  claimName,
  encodeRecordInto,
  nextPosition,
  RECORD_HEADER_BYTES,
  SEGMENT_MAGIC,
  SPOOL_START,
  type SpoolPosition,
  segmentBytesFor,
  segmentName,
  segmentOf,
} from './format.js';
import { ownOwnerId } from './owner.js';

// The app thread's half of the spool: each line the CloudWatch sink will ship is appended to this
// process's own segment file with one synchronous write, before the log call returns. From then on
// the operating system holds it (and the disk, with fsync), whatever happens to the process.
// A write that fails (full disk, file-size limit, read-only remount) turns the spool off for the
// rest of the process: lines still reach the worker through memory, as without a spool.

/** What the log worker needs to ship this process's spool and recover others'. */
export interface SpoolWire {
  dir: string;
  owner: string;
  maxBytes: number;
  segmentBytes: number;
  fsync: boolean;
  /** How often the worker looks for spools of processes that died after it started. */
  rescanMs: number;
}

export class SpoolWriter {
  readonly wire: SpoolWire;
  readonly #stats: Float64Array;
  readonly #spooledSlot: number;
  readonly #unspooledSlot: number;
  #fd: number | undefined;
  #at: SpoolPosition = SPOOL_START;
  #failed = false;
  /** One buffer for every record: the log call allocates nothing per line for the spool. */
  #scratch = Buffer.allocUnsafeSlow(64 * 1024);

  /** Creates the directory (0700) and this process's claim file (0600); a directory that cannot be written is a LogferryConfigError. */
  constructor(spool: ResolvedSpool, shared: SharedState) {
    const dir = resolve(spool.dir);
    const owner = ownOwnerId();
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      closeSync(openSync(join(dir, claimName(owner, owner)), 'w', 0o600));
      this.#fd = openSegment(dir, owner, 0, spool.fsync);
    } catch (error) {
      throw new LogferryConfigError(
        spool.dirSetting,
        spool.dir,
        `use a directory this process can create and write (${(error as Error).message})`,
      );
    }
    this.wire = {
      dir,
      owner,
      maxBytes: spool.maxBytes,
      segmentBytes: segmentBytesFor(spool.maxBytes),
      fsync: spool.fsync,
      rescanMs: spool.rescanMs,
    };
    this.#stats = shared.stats;
    this.#spooledSlot = statIndex('cloudwatch', 'spooled');
    this.#unspooledSlot = statIndex('cloudwatch', 'unspooled');
  }

  /** Appends one line (without its newline). Never throws: a failure is said once and counted. */
  append(line: string): void {
    if (this.#failed) {
      this.#count(this.#unspooledSlot);
      return;
    }
    try {
      let recordBytes = encodeRecordInto(this.#scratch, line);
      if (recordBytes === 0) {
        this.#scratch = Buffer.allocUnsafeSlow(RECORD_HEADER_BYTES + Buffer.byteLength(line));
        recordBytes = encodeRecordInto(this.#scratch, line);
      }
      const next = nextPosition(this.#at, recordBytes - RECORD_HEADER_BYTES, this.wire.segmentBytes);
      if (segmentOf(next) !== segmentOf(this.#at)) this.#rotate(segmentOf(next));
      let written = writeSync(this.#fd as number, this.#scratch, 0, recordBytes);
      // A disk that fills up first takes part of a record; writing the rest gets the real error (ENOSPC).
      if (written > 0 && written < recordBytes) written += writeSync(this.#fd as number, this.#scratch, written, recordBytes - written);
      if (written !== recordBytes) {
        throw Object.assign(new Error(`short write (${written} of ${recordBytes} bytes)`), { code: 'ESHORT' });
      }
      if (this.wire.fsync) fsyncSync(this.#fd as number);
      this.#at = next;
      // Counted after the write and before the line is handed to the worker: the worker takes
      // line N as spooled when this count has reached N.
      this.#count(this.#spooledSlot);
    } catch (error) {
      this.#fail(error);
      this.#count(this.#unspooledSlot);
    }
  }

  #rotate(segment: number): void {
    const previous = this.#fd;
    this.#fd = undefined;
    if (previous !== undefined) closeSync(previous);
    this.#fd = openSegment(this.wire.dir, this.wire.owner, segment, this.wire.fsync);
  }

  #count(slot: number): void {
    this.#stats[slot] = (this.#stats[slot] ?? 0) + 1;
  }

  #fail(error: unknown): void {
    this.#failed = true;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    process.stderr.write(
      `logferry: the spool in ${this.wire.dir} cannot be written (${code ? `${code}: ` : ''}${(error as Error).message}); lines now reach CloudWatch from memory only, as without a spool (counted in logStats().cloudwatch.unspooled)\n`,
    );
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function openSegment(dir: string, owner: string, segment: number, fsync: boolean): number {
  const fd = openSync(join(dir, segmentName(owner, segment)), 'wx', 0o600);
  // With fsync, the new file's name must survive a host crash too, not only its bytes.
  if (fsync) syncDirectory(dir);
  try {
    if (writeSync(fd, SEGMENT_MAGIC) !== SEGMENT_MAGIC.length) throw new Error('short write of the segment header');
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}
