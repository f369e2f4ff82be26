import { crc32 } from 'node:zlib';

// The spool's on-disk format, shared by the app's thread (which writes) and the log worker
// (which ships, records how far CloudWatch has accepted, and recovers a dead process's files).
// Pure: names, framing and positions, no I/O. Both threads compute the same positions from
// the same line lengths, so the worker knows where each line ends without reading the file.

/** Every segment starts with these bytes: a file without them is not a spool segment. */
export const SEGMENT_MAGIC = Buffer.from('LFSPOOL1', 'latin1');
/** A record is its payload's byte length and CRC-32 (both u32 little-endian), then the payload (one log line, no newline). */
export const RECORD_HEADER_BYTES = 8;

/** Where a record ends: segment number and byte offset within it, as one number (segment × 2^32 + offset). */
export type SpoolPosition = number;
const SEGMENT_FACTOR = 2 ** 32;

export function position(segment: number, offset: number): SpoolPosition {
  return segment * SEGMENT_FACTOR + offset;
}
export function segmentOf(at: SpoolPosition): number {
  return Math.floor(at / SEGMENT_FACTOR);
}
export function offsetOf(at: SpoolPosition): number {
  return at % SEGMENT_FACTOR;
}

/** The position before the first record of a spool. */
export const SPOOL_START: SpoolPosition = position(0, SEGMENT_MAGIC.length);

/**
 * Where a record of `payloadBytes` ends when appended after `at`. A record that would take a
 * segment past `segmentBytes` starts the next segment (a record larger than a segment gets one of its own).
 */
export function nextPosition(at: SpoolPosition, payloadBytes: number, segmentBytes: number): SpoolPosition {
  const recordBytes = RECORD_HEADER_BYTES + payloadBytes;
  const offset = offsetOf(at);
  if (offset > SEGMENT_MAGIC.length && offset + recordBytes > segmentBytes) {
    return position(segmentOf(at) + 1, SEGMENT_MAGIC.length + recordBytes);
  }
  return at + recordBytes;
}

/** One framed record, ready for a single write. */
export function encodeRecord(line: string): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + Buffer.byteLength(line));
  return record.subarray(0, encodeRecordInto(record, line));
}

/**
 * Frames `line` at the start of `into`; returns the record's length, or 0 when it does not fit
 * (the caller grows its buffer). Lets the app's thread reuse one buffer instead of one per line.
 */
export function encodeRecordInto(into: Buffer, line: string): number {
  // Buffer.write stops early, without an error, when the bytes do not fit: a write that leaves
  // less than a 4-byte character of room may have been cut short.
  const room = into.length - RECORD_HEADER_BYTES;
  const payloadBytes = into.write(line, RECORD_HEADER_BYTES, 'utf8');
  if (payloadBytes > room - 4 && Buffer.byteLength(line) !== payloadBytes) return 0;
  into.writeUInt32LE(payloadBytes, 0);
  into.writeUInt32LE(crc32(into.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + payloadBytes)), 4);
  return RECORD_HEADER_BYTES + payloadBytes;
}

/** What a segment's bytes hold from `from` on. */
export interface SegmentRead {
  /** Records whose length and checksum are right, in order, with the offset where each ends. */
  records: Array<{ line: string; end: number }>;
  /**
   * `torn`: the last record is cut short or fails its checksum (a write cut off by a crash);
   * `corrupt`: a record before the last one is damaged; `foreign`: the file does not start like a segment.
   */
  damage: 'torn' | 'corrupt' | 'foreign' | undefined;
}

/** Reads the records of one segment's bytes, from offset `from`; stops at the first damage. */
export function readSegment(bytes: Buffer, from = SEGMENT_MAGIC.length): SegmentRead {
  if (bytes.length < SEGMENT_MAGIC.length || !bytes.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    // An empty file, or one holding part of the header, is a segment whose header never got
    // written whole (full disk at its creation): nothing to ship, and no damage to report.
    const headerCutShort = bytes.length < SEGMENT_MAGIC.length && bytes.equals(SEGMENT_MAGIC.subarray(0, bytes.length));
    return { records: [], damage: headerCutShort ? undefined : 'foreign' };
  }
  const records: SegmentRead['records'] = [];
  let at = Math.max(from, SEGMENT_MAGIC.length);
  while (at < bytes.length) {
    if (at + RECORD_HEADER_BYTES > bytes.length) return { records, damage: 'torn' };
    const length = bytes.readUInt32LE(at);
    const end = at + RECORD_HEADER_BYTES + length;
    if (end > bytes.length) return { records, damage: 'torn' };
    const payload = bytes.subarray(at + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(at + 4)) return { records, damage: end === bytes.length ? 'torn' : 'corrupt' };
    records.push({ line: payload.toString('utf8'), end });
    at = end;
  }
  return { records, damage: undefined };
}

// File names. An owner is `host-pid-starttime-n<pidns>-w<writer>`: the start time tells a process from a
// later one that got the same pid, and the PID namespace (the inode of /proc/self/ns/pid, 0 when
// unknown) tells two containers on one host apart, whose pids and /proc are not each other's;
// the writer number tells apart the spools of one process (two copies of logferry, or a logger
// set up again), each with files of its own.
// A claim file names the owner of a set of files and the process that holds them now (the owner,
// or the process that adopted them after the owner died).

const OWNER = /^([A-Za-z0-9_.]+)-(\d+)-(\d+)(?:-n(\d+)(?:-w(\d+))?)?$/;

export interface OwnerId {
  host: string;
  pid: number;
  startTime: string;
  /** The owner's PID namespace; undefined in a name written before namespaces were recorded. */
  pidNamespace: string | undefined;
}

export function formatOwner(host: string, pid: number, startTime: string, pidNamespace: string, writer = 0): string {
  return `${host.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 100) || 'host'}-${pid}-${startTime}-n${pidNamespace}-w${writer}`;
}

export function parseOwner(owner: string): OwnerId | undefined {
  const match = OWNER.exec(owner);
  return match ? { host: match[1] as string, pid: Number(match[2]), startTime: match[3] as string, pidNamespace: match[4] } : undefined;
}

export function segmentName(owner: string, segment: number): string {
  return `spool-${owner}.${segment}.log`;
}
export function stateName(owner: string): string {
  return `state-${owner}.json`;
}
export function claimName(owner: string, holder: string): string {
  return `claim-${owner}@${holder}`;
}

const SEGMENT_FILE = /^spool-(.+)\.(\d+)\.log$/;
const CLAIM_FILE = /^claim-([^@]+)@([^@]+)$/;

export function parseSegmentName(name: string): { owner: string; segment: number } | undefined {
  const match = SEGMENT_FILE.exec(name);
  return match ? { owner: match[1] as string, segment: Number(match[2]) } : undefined;
}
export function parseClaimName(name: string): { owner: string; holder: string } | undefined {
  const match = CLAIM_FILE.exec(name);
  return match ? { owner: match[1] as string, holder: match[2] as string } : undefined;
}

/** How far CloudWatch has accepted a spool, and how far the batch sent last reaches (it may be stored too). */
export interface SpoolState {
  accepted: SpoolPosition;
  sending: SpoolPosition;
  /**
   * Copies of the lines up to `sending` that attempts may have stored and no process has counted in
   * possibleDuplicates yet: an adopter counts them once. Absent (an older state file): one when
   * `sending` is past `accepted`.
   */
  copies?: number;
  /**
   * The owner's own `possibleDuplicates` as of its last state write: a killed process's count
   * outlives it here (for an operator or a test to read). An adopter never adds it to its own.
   */
  ownerPossibleDuplicates?: number;
  /**
   * Lines the holder's memory queue dropped whose report line CloudWatch has not accepted yet: how
   * many, when they were dropped and when logged (epoch ms), by which process and for which
   * stream. An adopter sends the report.
   */
  drops?: {
    count: number;
    firstAt: number;
    lastAt: number;
    loggedFrom: number;
    loggedUntil: number;
    pid: number;
    hostname: string;
    logStream: string;
  };
}

/** Segment size for a spool capped at `maxBytes`: small enough that shipped parts are removed often. */
export function segmentBytesFor(maxBytes: number): number {
  return Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(maxBytes / 8)));
}
