import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatOwner, parseOwner } from './format.js';

// Who owns a spool file, and whether that process still runs. A pid alone is not enough: pids
// are reused (a container's app is often pid 1 on every restart). Linux gives each process a
// start time (field 22 of /proc/<pid>/stat, in clock ticks since boot) that a later process with
// the same pid does not share. Elsewhere, without /proc, the pid is all there is.

/** A claim on a volume shared with other hosts is taken as abandoned once untouched this long. */
export const FOREIGN_CLAIM_STALE_MS = 120_000;
/** How often a live process touches its claim, well inside FOREIGN_CLAIM_STALE_MS. */
export const CLAIM_HEARTBEAT_MS = 30_000;

/** The start time of process `pid`, or undefined when it does not exist (or there is no /proc). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 2 (the command) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let own: string | undefined;

/** This process's owner id: host, pid and start time. */
export function ownOwnerId(): string {
  own ??= formatOwner(hostname(), process.pid, processStartTime(process.pid) ?? String(Date.now()));
  return own;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `owner` names still runs. On this host: its pid exists with the same start
 * time. On another host sharing the volume: its claim file (`claimPath`) was touched lately.
 */
export function ownerIsAlive(owner: string, claimPath: string, now = Date.now()): boolean {
  const id = parseOwner(owner);
  if (!id) return false;
  if (id.host !== parseOwner(ownOwnerId())?.host) {
    try {
      return now - statSync(claimPath).mtimeMs < FOREIGN_CLAIM_STALE_MS;
    } catch {
      return false;
    }
  }
  if (id.pid === process.pid) return id.startTime === parseOwner(ownOwnerId())?.startTime;
  const startTime = processStartTime(id.pid);
  if (startTime !== undefined) return startTime === id.startTime;
  // No /proc (not Linux): the pid is the only evidence.
  return existsProcFs() ? false : pidExists(id.pid);
}

function existsProcFs(): boolean {
  return processStartTime(process.pid) !== undefined;
}
