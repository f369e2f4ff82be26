import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { claimName, parseSegmentName, type SpoolState, segmentName, stateName } from '../../../src/wire/spool-format.js';
import { isOwnFile, WRITE_NO_FOLLOW } from '../../../src/wire/spool-owner.js';

// One owner's spool files as the log worker handles them: its state file (how far CloudWatch has
// accepted), its segments (removed once shipped) and its claim (removed last, so files are never
// left without one). Every failure here costs at most duplicates later, never lines: a state
// file that lags only makes a recovering process send more again.

export class SpoolFiles {
  readonly dir: string;
  readonly owner: string;
  /** The process holding these files now: the owner, or the process that adopted them. */
  readonly holder: string;
  readonly #fsync: boolean;

  constructor(dir: string, owner: string, holder: string, fsync: boolean) {
    this.dir = dir;
    this.owner = owner;
    this.holder = holder;
    this.#fsync = fsync;
  }

  /** Segment numbers on disk, oldest first; a file another user owns (or a symlink) in a segment's name is left out, never shipped nor removed. */
  segments(): number[] {
    return readdirSync(this.dir)
      .map(parseSegmentName)
      .filter((parsed) => parsed?.owner === this.owner)
      .map((parsed) => parsed?.segment as number)
      .filter((segment) => isOwnFile(this.segmentPath(segment)))
      .sort((a, b) => a - b);
  }

  statePath(): string {
    return join(this.dir, stateName(this.owner));
  }

  segmentPath(segment: number): string {
    return join(this.dir, segmentName(this.owner, segment));
  }

  /** Replaces the state file in one rename, so a reader sees the old state or the new one, never half. */
  writeState(state: SpoolState): void {
    const path = join(this.dir, stateName(this.owner));
    const temporary = `${path}.${this.holder}.tmp`;
    const fd = openSync(temporary, WRITE_NO_FOLLOW, 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      if (this.#fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  }

  /** Removes segments numbered below `segment` (everything in them is shipped or given up). */
  removeSegmentsBefore(segment: number, known: number[] = this.segments()): number[] {
    const kept: number[] = [];
    for (const number of known) {
      if (number < segment) removeQuietly(this.segmentPath(number));
      else kept.push(number);
    }
    return kept;
  }

  /** Removes every file of this owner, the claim last. */
  removeAll(): void {
    for (const segment of this.segments()) removeQuietly(this.segmentPath(segment));
    // A holder killed between writing its temporary state file and the rename leaves it behind.
    const temporaryPrefix = `${stateName(this.owner)}.`;
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (name.startsWith(temporaryPrefix) && name.endsWith('.tmp') && isOwnFile(path)) removeQuietly(path);
    }
    if (isOwnFile(this.statePath())) removeQuietly(this.statePath());
    if (isOwnFile(this.claimPath())) removeQuietly(this.claimPath());
  }

  claimPath(): string {
    return join(this.dir, claimName(this.owner, this.holder));
  }

  /** Marks the claim as held by a live process (read by processes on other hosts sharing the dir). */
  touchClaim(): void {
    const now = new Date();
    try {
      utimesSync(join(this.dir, claimName(this.owner, this.holder)), now, now);
    } catch {
      // A claim that cannot be touched looks abandoned to other hosts after a while: duplicates at worst.
    }
  }

  /** Moves a damaged or foreign file out of the spool's names, so no process reads it again. */
  setAside(path: string): string {
    const aside = `${path}.set-aside`;
    renameSync(path, aside);
    return aside;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or the dir went read-only: a later start finds it and skips what is shipped.
  }
}
