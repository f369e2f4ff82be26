import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedSpool } from '../config/spool-settings.js';
import { LogferryConfigError } from '../errors.js';
import type { SharedState } from '../wire/protocol.js';
import { statIndex } from '../wire/protocol.js';
import type { SpoolWire } from '../wire/sink-options.js';
import {
  claimName,
  encodeRecordInto,
  nextPosition,
  parseSegmentName,
  RECORD_HEADER_BYTES,
  SEGMENT_MAGIC,
  SPOOL_START,
  type SpoolPosition,
  type SpoolState,
  segmentBytesFor,
  segmentName,
  segmentOf,
  stateName,
} from '../wire/spool-format.js';
import { makeDirectoryPrivate, newWriterOwnerId, WRITE_NO_FOLLOW } from '../wire/spool-owner.js';
import { SpoolCap } from './spool-cap.js';

// The app thread's half of the spool: each line the CloudWatch sink will ship is appended to this
// process's own segment file with one synchronous write, before the log call returns. From then on
// the operating system holds it (and the disk, with fsync), whatever happens to the process.
// A write that fails (full disk, file-size limit, read-only remount) turns the spool off for the
// rest of the process: lines still reach the worker through memory, as without a spool.

export class SpoolWriter {
  readonly wire: SpoolWire;
  readonly #stats: Float64Array;
  readonly #spooledSlot: number;
  readonly #unspooledSlot: number;
  #fd: number | undefined;
  #at: SpoolPosition = SPOOL_START;
  #failed = false;
  readonly #cap: SpoolCap;
  /** One buffer for every record: the log call allocates nothing per line for the spool. */
  #scratch = Buffer.allocUnsafeSlow(64 * 1024);

  /**
   * Creates the directory (0700; one of ours that others may write is set to 0700) and this process's
   * claim file (0600); a directory that cannot be written, or is another user's, is a LogferryConfigError.
   */
  constructor(spool: ResolvedSpool, shared: SharedState) {
    const dir = resolve(spool.dir);
    const owner = newWriterOwnerId();
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
    this.#cap = new SpoolCap(this.wire, shared.stats);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      makeDirectoryPrivate(dir);
      closeSync(openSync(join(dir, claimName(owner, owner)), WRITE_NO_FOLLOW, 0o600));
      this.#fd = openSegment(dir, owner, 0, spool.fsync);
    } catch (error) {
      // A full disk or a file-size limit is a state of the machine, not a bad setting: the
      // service starts without a spool, as it does when the disk fills up later.
      if (OUT_OF_SPACE.has((error as NodeJS.ErrnoException).code ?? '')) {
        removeQuietly(join(dir, segmentName(owner, 0)));
        removeQuietly(join(dir, claimName(owner, owner)));
        this.#fail(error);
        return;
      }
      throw new LogferryConfigError(
        spool.dirSetting,
        spool.dir,
        `use a directory this process's user owns (or can create) and can write (${(error as Error).message})`,
      );
    }
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
      this.#cap.noteRecord(segmentOf(next));
      // Counted after the write and before the line is handed to the worker: the worker takes
      // line N as spooled when this count has reached N.
      this.#count(this.#spooledSlot);
    } catch (error) {
      this.#fail(error);
      this.#count(this.#unspooledSlot);
    }
  }

  /**
   * Removes this writer's files when the state file says CloudWatch accepted every line written,
   * and stops spooling (lines after it are counted in unspooled). For the end of the process.
   */
  removeIfAllAccepted(): void {
    if (this.#failed || !allAccepted(this.wire, this.#at)) return;
    this.#failed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    for (const name of readdirSync(this.wire.dir)) {
      if (parseSegmentName(name)?.owner === this.wire.owner) removeQuietly(join(this.wire.dir, name));
    }
    removeQuietly(join(this.wire.dir, stateName(this.wire.owner)));
    removeQuietly(join(this.wire.dir, claimName(this.wire.owner, this.wire.owner)));
  }

  #rotate(segment: number): void {
    this.#cap.makeRoomFor(segment);
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
    const message = (error as Error).message;
    // Node's own messages start with the code already ("EFBIG: file too large, write").
    const reason = code && !message.startsWith(code) ? `${code}: ${message}` : message;
    process.stderr.write(
      `logferry: the spool in ${this.wire.dir} cannot be written (${reason}); lines now reach CloudWatch from memory only, as without a spool (counted in logStats().cloudwatch.unspooled)\n`,
    );
  }
}

function allAccepted(wire: SpoolWire, written: SpoolPosition): boolean {
  if (written === SPOOL_START) return true;
  try {
    const state = JSON.parse(readFileSync(join(wire.dir, stateName(wire.owner)), 'utf8')) as Partial<SpoolState>;
    return typeof state.accepted === 'number' && state.accepted >= written;
  } catch {
    return false;
  }
}

/** Errors that say the disk (or this process's share of it) is full, rather than that the directory is unusable. */
const OUT_OF_SPACE = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or the directory is gone: nothing is left to clean up.
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
