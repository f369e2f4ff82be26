import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { offsetOf, position, RECORD_HEADER_BYTES, SEGMENT_MAGIC, type SpoolPosition, segmentOf } from '../../../src/wire/spool-format.js';

// Reads one spool's records from disk a few at a time, at the pace the memory queue has room for:
// the disk is the queue, and memory holds one read buffer (grown only for a record larger than it),
// never a segment or a spool. Pure reading: what to do with damage is the caller's.

/** Bytes read at a time; a larger record is read on its own. */
const READ_BYTES = 1024 * 1024;

/**
 * One read buffer for every reader: the worker reads one spool at a time, and a chunk is used up
 * before the next read, so adopting many spools does not cost a buffer each.
 */
let sharedBuffer: Buffer | undefined;

/** Why a segment's reading stopped early. */
export type SegmentDamage = 'torn' | 'corrupt' | 'foreign';

export interface ReaderEvents {
  /** A record read whole and checked, with where it ends. */
  line(line: string, end: SpoolPosition, payloadBytes: number): void;
  /** Room for a record of `payloadBytes` in the queue. */
  hasRoom(payloadBytes: number): boolean;
  /** Segment `segment` is gone (removed by the cap, or never written). */
  missing(segment: number): void;
  /** Segment `segment` is damaged after the reader's position; the records before were handed on. */
  damaged(segment: number, damage: SegmentDamage, recordsBefore: number): void;
}

export class SpoolReader {
  /** Where the last record handed on ends. */
  at: SpoolPosition;
  readonly #segmentPath: (segment: number) => string;
  /** Records handed on from the segment being read (said when it turns out damaged). */
  #segmentRecords = 0;

  constructor(from: SpoolPosition, segmentPath: (segment: number) => string) {
    this.at = from;
    this.#segmentPath = segmentPath;
  }

  /**
   * Hands on records after `at` while the queue has room, reading segments in order up to `last`
   * (and, within it, up to `until` when given). Returns true once everything up to there is read.
   */
  read(last: number, until: SpoolPosition | undefined, events: ReaderEvents): boolean {
    while (segmentOf(this.at) <= last) {
      const segment = segmentOf(this.at);
      const stop = until !== undefined && segmentOf(until) === segment ? offsetOf(until) : undefined;
      const outcome = this.#readSegment(segment, stop, events);
      if (outcome === 'full') return false;
      if (until !== undefined && this.at >= until) return true;
      if (segment === last) return true;
      this.at = position(segment + 1, SEGMENT_MAGIC.length);
      this.#segmentRecords = 0;
    }
    return true;
  }

  /** Reads records of one segment from `at`; 'full' when the queue has no room left. */
  #readSegment(segment: number, stop: number | undefined, events: ReaderEvents): 'full' | 'done' {
    let fd: number;
    try {
      fd = openSync(this.#segmentPath(segment), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      events.missing(segment);
      return 'done';
    }
    try {
      const size = fstatSync(fd).size;
      let offset = offsetOf(this.at);
      if (offset === SEGMENT_MAGIC.length && !this.#startsLikeSegment(fd, size)) {
        // A header cut short (a full disk at its creation) holds nothing; anything else is not ours.
        const headerCutShort = size < SEGMENT_MAGIC.length;
        if (!headerCutShort) events.damaged(segment, 'foreign', 0);
        return 'done';
      }
      const end = Math.min(size, stop ?? size);
      // Records are parsed out of one read of up to READ_BYTES; the next read starts at the first
      // record that did not fit in it.
      let chunk: Buffer = Buffer.alloc(0);
      let chunkAt = offset;
      while (offset < end) {
        let at = offset - chunkAt;
        if (at + RECORD_HEADER_BYTES > chunk.length) {
          chunk = this.#read(fd, offset, Math.min(READ_BYTES, end - offset));
          chunkAt = offset;
          at = 0;
          if (chunk.length < RECORD_HEADER_BYTES) return this.#damage(segment, 'torn', events);
        }
        const length = chunk.readUInt32LE(at);
        const recordEnd = offset + RECORD_HEADER_BYTES + length;
        if (recordEnd > end) return this.#damage(segment, 'torn', events);
        if (!events.hasRoom(length)) return 'full';
        if (at + RECORD_HEADER_BYTES + length > chunk.length) {
          chunk = this.#read(fd, offset, Math.max(Math.min(READ_BYTES, end - offset), RECORD_HEADER_BYTES + length));
          chunkAt = offset;
          at = 0;
        }
        const payload = chunk.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length);
        if (crc32(payload) !== chunk.readUInt32LE(at + 4)) {
          return this.#damage(segment, recordEnd === size ? 'torn' : 'corrupt', events);
        }
        this.at = position(segment, recordEnd);
        this.#segmentRecords++;
        events.line(payload.toString('utf8'), this.at, length);
        offset = recordEnd;
      }
      return 'done';
    } finally {
      closeSync(fd);
    }
  }

  #damage(segment: number, damage: SegmentDamage, events: ReaderEvents): 'done' {
    events.damaged(segment, damage, this.#segmentRecords);
    return 'done';
  }

  #startsLikeSegment(fd: number, size: number): boolean {
    if (size < SEGMENT_MAGIC.length) return false;
    return this.#read(fd, 0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC);
  }

  /** `bytes` from `offset` (fewer at the end of the file), in the shared buffer (grown for a record larger than it). */
  #read(fd: number, offset: number, bytes: number): Buffer {
    if (!sharedBuffer || bytes > sharedBuffer.length) sharedBuffer = Buffer.allocUnsafeSlow(Math.max(READ_BYTES, bytes));
    const got = readSync(fd, sharedBuffer, 0, bytes, offset);
    return sharedBuffer.subarray(0, got);
  }
}

/**
 * Records after offset `from` in a segment file, counted by their lengths (no checksum): what a
 * reader will find at most; `before` counts those ending at or before offset `upTo`.
 */
export function countRecords(path: string, from: number, upTo: number): { records: number; before: number } {
  const counted = { records: 0, before: 0 };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return counted;
  }
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    for (let at = Math.max(from, SEGMENT_MAGIC.length); at + RECORD_HEADER_BYTES <= size; ) {
      if (readSync(fd, header, 0, RECORD_HEADER_BYTES, at) < RECORD_HEADER_BYTES) break;
      at += RECORD_HEADER_BYTES + header.readUInt32LE(0);
      if (at > size) break;
      counted.records++;
      if (at <= upTo) counted.before++;
    }
    return counted;
  } finally {
    closeSync(fd);
  }
}
