import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
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
} from '../../src/spool/format.js';
import { ownerIsAlive } from '../../src/spool/owner.js';
import type { SinkReporter } from '../shared/sink-reporter.js';
import { SpoolFiles } from './spool-files.js';

// At start, the spools of processes that died are adopted, each exactly once: the claim file
// `claim-<owner>@<holder>` is renamed to name this process as holder, and rename is atomic, so of
// two processes starting together only one wins. A holder that is still alive keeps its files.

/** A dead process's unshipped lines, oldest first, with where each ends in its files. */
export interface AdoptedSpool {
  files: SpoolFiles;
  state: SpoolState;
  lines: Array<{ line: string; end: SpoolPosition }>;
  /** Lines of the batch that was being sent when the process died: CloudWatch may hold them already. */
  possibleDuplicates: number;
}

/** Claims the spools of dead processes in `dir` and reads what they left unshipped. Never throws. */
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
    try {
      renameSync(join(dir, name), join(dir, claimName(claim.owner, me)));
    } catch {
      continue; // Another process adopted it first.
    }
    const files = new SpoolFiles(dir, claim.owner, me, fsync);
    try {
      adopted.push(readAdopted(files, reporter));
    } catch (error) {
      reporter.reportOnce(
        `spool-read-${claim.owner}`,
        `logferry: CloudWatch spool: cannot read the spool of ${claim.owner} (${(error as Error).message}); left in ${dir}`,
      );
    }
  }
  return adopted;
}

function readState(files: SpoolFiles, reporter: SinkReporter): SpoolState {
  const path = join(files.dir, stateName(files.owner));
  let text: string;
  try {
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

function readAdopted(files: SpoolFiles, reporter: SinkReporter): AdoptedSpool {
  const state = readState(files, reporter);
  const lines: AdoptedSpool['lines'] = [];
  let possibleDuplicates = 0;
  for (const segment of files.segments()) {
    if (segment < segmentOf(state.accepted)) continue;
    const path = files.segmentPath(segment);
    const from = segment === segmentOf(state.accepted) ? offsetOf(state.accepted) : SEGMENT_MAGIC.length;
    const read = readSegment(readFileSync(path), from);
    for (const record of read.records) {
      const end = position(segment, record.end);
      lines.push({ line: record.line, end });
      if (end <= state.sending) possibleDuplicates++;
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
  return { files, state, lines, possibleDuplicates };
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
