import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkReporter } from '../../../src/wire/sink-reporter.js';
import {
  claimName,
  offsetOf,
  parseClaimName,
  SEGMENT_MAGIC,
  SPOOL_START,
  type SpoolState,
  segmentOf,
  stateName,
} from '../../../src/wire/spool-format.js';
import { isOwnFile, ownerIsAlive } from '../../../src/wire/spool-owner.js';
import { SpoolFiles } from './spool-files.js';
import { countRecords, type SegmentDamage } from './spool-reader.js';

// At start, the spools of processes that died are adopted, each exactly once: the claim file
// `claim-<owner>@<holder>` is renamed to name this process as holder, and rename is atomic, so of
// two processes starting together only one wins. A holder that is still alive keeps its files.

/** A dead process's spool, claimed: its lines stay on disk until the queue has room for them. */
export interface AdoptedSpool {
  files: SpoolFiles;
  state: SpoolState;
  /** Its segments on disk from the accepted one on, oldest first. */
  segments: number[];
  /** Records on disk past the accepted position (by their lengths: damage may cut them short). */
  lines: number;
  /** Of those, the lines of the batch that was being sent when the process died: CloudWatch may hold them already. */
  possibleDuplicates: number;
}

/**
 * Claims the spools of dead processes in `dir` and counts what they left unshipped, without
 * reading it into memory: the shipper streams it from disk as the queue makes room. Never throws.
 */
export function adoptDeadSpools(dir: string, me: string, fsync: boolean, reporter: SinkReporter): AdoptedSpool[] {
  const adopted: AdoptedSpool[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    reporter.reportOnce('spool-scan', `logferry: CloudWatch spool: cannot read ${dir} (${(error as Error).message}); no spool recovered`);
    return adopted;
  }
  for (const name of names) {
    const claim = parseClaimName(name);
    if (!claim || claim.owner === me || claim.holder === me) continue;
    if (ownerIsAlive(claim.holder, join(dir, name))) continue;
    if (!isOwnFile(join(dir, name))) {
      // Another user could forge a claim and segments in a directory they can write: never ship or remove them.
      reporter.reportOnce(
        `spool-foreign-${claim.owner}`,
        `logferry: CloudWatch spool: ${join(dir, name)} is not a file of this process's user; the spool of ${claim.owner} is left alone (neither shipped nor removed)`,
      );
      continue;
    }
    try {
      renameSync(join(dir, name), join(dir, claimName(claim.owner, me)));
    } catch {
      continue; // Another process adopted it first.
    }
    const files = new SpoolFiles(dir, claim.owner, me, fsync);
    const state = readState(files, reporter);
    const spool: AdoptedSpool = { files, state, segments: [], lines: 0, possibleDuplicates: 0 };
    try {
      spool.segments = files.segments().filter((segment) => segment >= segmentOf(state.accepted));
      for (const segment of spool.segments) {
        const from = segment === segmentOf(state.accepted) ? offsetOf(state.accepted) : SEGMENT_MAGIC.length;
        const sendingUpTo =
          segmentOf(state.sending) > segment
            ? Number.POSITIVE_INFINITY
            : segmentOf(state.sending) === segment
              ? offsetOf(state.sending)
              : 0;
        const counted = countRecords(files.segmentPath(segment), from, sendingUpTo);
        spool.lines += counted.records;
        spool.possibleDuplicates += counted.before * copiesAtRisk(state);
      }
    } catch (error) {
      reporter.reportOnce(
        `spool-read-${claim.owner}`,
        `logferry: CloudWatch spool: cannot read the spool of ${claim.owner} (${(error as Error).message}); its files are left in ${dir}`,
      );
    }
    adopted.push(spool);
  }
  return adopted;
}

/** Copies of the lines up to `sending` the dead holder may have caused and not counted. */
function copiesAtRisk(state: SpoolState): number {
  if (typeof state.copies === 'number' && Number.isInteger(state.copies) && state.copies >= 0) return state.copies;
  return state.sending > state.accepted ? 1 : 0;
}

function readState(files: SpoolFiles, reporter: SinkReporter): SpoolState {
  const path = join(files.dir, stateName(files.owner));
  let text: string;
  try {
    // A state file of another user's could only make lines look shipped: without ours, all are sent.
    if (!isOwnFile(path)) return { accepted: SPOOL_START, sending: SPOOL_START };
    text = readFileSync(path, 'utf8');
  } catch {
    return { accepted: SPOOL_START, sending: SPOOL_START };
  }
  try {
    const state = JSON.parse(text) as Partial<SpoolState>;
    if (typeof state.accepted === 'number' && typeof state.sending === 'number') return state as SpoolState;
  } catch {
    // Said below, like any other damaged file.
  }
  setAside(files, path, 'a damaged state file: its lines are all sent again', reporter);
  return { accepted: SPOOL_START, sending: SPOOL_START };
}

/** Says what a reader found damaged in `segment`, and sets aside a file that cannot be read on. */
export function reportDamage(
  files: SpoolFiles,
  segment: number,
  damage: SegmentDamage,
  recordsBefore: number,
  reporter: SinkReporter,
): void {
  const path = files.segmentPath(segment);
  if (damage === 'torn') {
    reporter.reportOnce(
      `spool-torn-${path}`,
      `logferry: CloudWatch spool: ${path} ends in a record cut short (a write interrupted by a crash); the ${recordsBefore} records before it are shipped, the cut one skipped`,
    );
    return;
  }
  const what = damage === 'foreign' ? 'not a logferry spool segment' : 'damaged in the middle';
  setAside(files, path, `${what}: the ${recordsBefore} records before the damage are shipped`, reporter);
}

function setAside(files: SpoolFiles, path: string, why: string, reporter: SinkReporter): void {
  reporter.add('spoolFilesSetAside');
  let aside = path;
  try {
    aside = files.setAside(path);
  } catch {
    // Left where it is; the next start says so again.
  }
  process.stderr.write(`logferry: CloudWatch spool: set aside ${aside}, ${why}\n`);
}
