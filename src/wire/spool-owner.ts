import { chmodSync, constants, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatOwner, type OwnerId, parseOwner } from './spool-format.js';

// Who owns a spool file, and whether that process still runs. A pid alone is not enough: pids
// are reused (a container's app is often pid 1 on every restart). Linux gives each process a
// start time (field 22 of /proc/<pid>/stat, in clock ticks since boot) that a later process with
// the same pid does not share. A pid means something only inside its PID namespace: containers
// sharing a host name (host networking) and a volume each see their own pids, so an owner in
// another namespace is judged like one on another host, by its claim's heartbeat.
// Elsewhere, without /proc, the pid is all there is.

/** A claim held in another PID namespace or on another host is taken as abandoned once untouched this long. */
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

/** This process's PID namespace (the inode /proc/self/ns/pid names), or '0' where there is none to read. */
export function ownPidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
}

let own: string | undefined;

/** This process's owner id (host, pid, start time and PID namespace), for comparing with others. */
export function ownOwnerId(): string {
  own ??= formatOwner(hostname(), process.pid, processStartTime(process.pid) ?? String(Date.now()), ownPidNamespace());
  return own;
}

/** Counted across every copy of logferry loaded in this process, so no two writers share file names. */
const WRITERS = Symbol.for('logferry.spool.writers');

/** A fresh owner id for one spool writer of this process. */
export function newWriterOwnerId(): string {
  const registry = globalThis as { [WRITERS]?: number };
  const writer = registry[WRITERS] ?? 0;
  registry[WRITERS] = writer + 1;
  const me = parseOwner(ownOwnerId()) as OwnerId;
  return formatOwner(me.host, me.pid, me.startTime, me.pidNamespace ?? '0', writer);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function claimTouchedLately(claimPath: string, now: number): boolean {
  try {
    return now - statSync(claimPath).mtimeMs < FOREIGN_CLAIM_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Whether the process `owner` names still runs. In this PID namespace on this host: its pid exists
 * with the same start time. In another namespace or on another host sharing the volume (or when
 * either namespace is unknown): its claim file (`claimPath`) was touched lately.
 */
export function ownerIsAlive(owner: string, claimPath: string, now = Date.now()): boolean {
  const id = parseOwner(owner);
  const me = parseOwner(ownOwnerId());
  if (!id || !me) return false;
  const sameNamespace = id.pidNamespace !== undefined && id.pidNamespace === me.pidNamespace;
  // Without /proc (not Linux) there are no namespaces to tell apart and the pid is the only evidence.
  const procFs = me.pidNamespace !== '0';
  if (id.host !== me.host || (procFs && !sameNamespace)) return claimTouchedLately(claimPath, now);
  if (id.pid === process.pid) return id.startTime === me.startTime;
  if (!procFs) return pidExists(id.pid);
  return processStartTime(id.pid) === id.startTime;
}

const myUid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * Whether `path` is a regular file (not a symlink) of this process's user. In a directory another
 * user could write to, a file of theirs may be forged: it is never shipped, adopted or removed.
 */
export function isOwnFile(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat?.isFile() === true && (myUid === undefined || stat.uid === myUid);
}

/** Flags for writing a spool file of our own: a symlink planted at its name is not followed (ELOOP). */
export const WRITE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);

/**
 * Makes the spool directory private: one of this user's with group or other access is set to 0700;
 * one of another user's is refused (throws, the caller says which setting to change).
 */
export function makeDirectoryPrivate(dir: string): void {
  const stat = statSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (myUid === undefined) return;
  if (stat.uid !== myUid) {
    throw new Error(`${dir} belongs to uid ${stat.uid}, not to this process's user (uid ${myUid}), so its files could be forged`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
