import type { SpoolOptions } from '../options.js';
import { type Env, parseBoolean, parseWholeNumber, readVar, type WholeNumberRange } from '../parse-env.js';

// The spool's settings, from configureLogging({ spool }) or the environment.

/** The spool as the Config holds it. */
export interface ResolvedSpool {
  dir: string;
  maxBytes: number;
  fsync: boolean;
  /** How often a running process looks for spools of processes that died after it started. Env: `LOG_SPOOL_RESCAN_MS`. */
  rescanMs: number;
  /** The setting the directory came from, named in errors about it. */
  dirSetting: 'LOG_SPOOL_DIR' | 'spool.dir';
}

const MiB = 1024 * 1024;
const MAX_BYTES_RANGE: WholeNumberRange = { min: MiB, max: 64 * 1024 * MiB, unit: 'bytes', minNote: '1 MiB', maxNote: '64 GiB' };
const DEFAULT_MAX_BYTES = 64 * MiB;

/** The spool's settings, or null when no directory is given (or `spool: false`). */
export function resolveSpool(env: Env, options: SpoolOptions | false | undefined): ResolvedSpool | null {
  if (options === false) return null;
  const fromOptions = options?.dir !== undefined;
  const dir = fromOptions ? options?.dir : readVar(env, 'LOG_SPOOL_DIR');
  if (dir === undefined || dir === '') return null;
  const rawMax = options?.maxBytes ?? readVar(env, 'LOG_SPOOL_MAX_BYTES');
  const rawFsync = readVar(env, 'LOG_SPOOL_FSYNC');
  return {
    dir,
    maxBytes:
      rawMax === undefined
        ? DEFAULT_MAX_BYTES
        : parseWholeNumber(options?.maxBytes !== undefined ? 'spool.maxBytes' : 'LOG_SPOOL_MAX_BYTES', rawMax, MAX_BYTES_RANGE),
    fsync: options?.fsync ?? (rawFsync === undefined ? false : parseBoolean('LOG_SPOOL_FSYNC', rawFsync)),
    rescanMs: parseWholeNumber('LOG_SPOOL_RESCAN_MS', readVar(env, 'LOG_SPOOL_RESCAN_MS') ?? 30_000, { min: 100, max: 3_600_000 }),
    dirSetting: fromOptions ? 'spool.dir' : 'LOG_SPOOL_DIR',
  };
}
