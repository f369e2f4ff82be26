import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkReporter } from '../../../src/wire/sink-reporter.js';
import {
  claimName,
  offsetOf,
  parseClaimName,
  position,
  readSegment,
  SEGMENT_MAGIC,
  SPOOL_START,
  type SpoolPosition,
  type SpoolState,
  segmentOf,
  stateName,
} from '../../../src/wire/spool-format.js';
import { isOwnFile, ownerIsAlive } from '../../../src/wire/spool-owner.js';
import { SpoolFiles } from './spool-files.js';

// At start, the spools of processes that died are adopted, each exactly once: the claim file
// `claim-<owner>@<holder>` is renamed to name this process as holder, and rename is atomic, so of
// two processes starting together only one wins. A holder that is still alive keeps its files.

/** What was read from a dead process's spool; its lines went to the `take` callback, oldest first. */
export interface AdoptedSpool {
  files: SpoolFiles;
  state: SpoolState;
  lines: number;
  /** Lines of the batch that was being sent when the process died: CloudWatch may hold them already. */
  possibleDuplicates: number;
  /** False when a read failed part way: the files stay for the next process (duplicates at worst). */
  complete: boolean;
}

/** Takes each recovered line, with where it ends in its files. */
export type TakeLine = (line: string, end: SpoolPosition) => void;

/**
 * Claims the spools of dead processes in `dir` and hands what they left unshipped to the line
 * sink `take` returns for each, one segment at a time: memory holds one segment, not a whole
 * spool (the queue then keeps at most its own cap). Never throws.
 */
export function adoptDeadSpools(
  dir: string,
  me: string,
  fsync: boolean,
  reporter: SinkReporter,
  take: (files: SpoolFiles, state: SpoolState) => TakeLine,
): AdoptedSpool[] {
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
    const spool: AdoptedSpool = { files, state, lines: 0, possibleDuplicates: 0, complete: true };
    try {
      readAdopted(spool, take(files, state), reporter);
    } catch (error) {
      spool.complete = false;
      reporter.reportOnce(
        `spool-read-${claim.owner}`,
        `logferry: CloudWatch spool: cannot read the spool of ${claim.owner} (${(error as Error).message}); ${spool.lines} lines read are shipped, the files are left in ${dir}`,
      );
    }
    adopted.push(spool);
  }
  return adopted;
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

function readAdopted(spool: AdoptedSpool, takeLine: TakeLine, reporter: SinkReporter): void {
  const { files, state } = spool;
  for (const segment of files.segments()) {
    if (segment < segmentOf(state.accepted)) continue;
    const path = files.segmentPath(segment);
    const from = segment === segmentOf(state.accepted) ? offsetOf(state.accepted) : SEGMENT_MAGIC.length;
    const read = readSegment(readFileSync(path), from);
    for (const record of read.records) {
      const end = position(segment, record.end);
      takeLine(record.line, end);
      spool.lines++;
      if (end <= state.sending) spool.possibleDuplicates++;
    }
    if (read.damage === 'torn') {
      reporter.reportOnce(
        `spool-torn-${path}`,
        `logferry: CloudWatch spool: ${path} ends in a record cut short (a write interrupted by a crash); the ${read.records.length} records before it are shipped, the cut one skipped`,
      );
    } else if (read.damage) {
      const what = read.damage === 'foreign' ? 'not a logferry spool segment' : 'damaged in the middle';
      setAside(files, path, `${what}: the ${read.records.length} records before the damage are shipped`, reporter);
    }
  }
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
