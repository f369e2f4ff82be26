import { LogferryConfigError } from '../errors.js';
import type { SpoolOptions } from '../options.js';
import { SPOOL_OPTION_KEYS } from './option-keys.js';
import { type Env, parseBoolean, parseOptionsObject, resolveSetting, text, type WholeNumberRange, wholeNumber } from './read-setting.js';

// The spool's settings, from configureLogging({ spool }) or the environment, on the same checked
// path as every other setting: a value from code of the wrong type fails as one from the env does.

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
// Up to 1 GiB a process: the disk is the queue (lines wait there while the memory queue is full),
// and a directory holds this much per process whose spool is not shipped yet (docs/spool.md).
const MAX_BYTES_RANGE: WholeNumberRange = { min: MiB, max: 1024 * MiB, unit: 'bytes', minNote: '1 MiB', maxNote: '1 GiB' };
const RESCAN_RANGE: WholeNumberRange = { min: 100, max: 3_600_000, unit: 'milliseconds', maxNote: '1 hour' };
/** Twice the CloudWatch queue's default cap: an outage of that many more lines rides out a kill. */
const DEFAULT_MAX_BYTES = 64 * MiB;

const SPOOL_KEYS = new Set(Object.keys(SPOOL_OPTION_KEYS));

/**
 * The spool's settings, or null when no directory is given (or `spool: false`). Every setting is
 * checked even then, and whether or not CloudWatch is on: a typo fails at start, not on the day
 * the spool is turned on.
 */
export function resolveSpool(env: Env, raw: SpoolOptions | false | undefined): ResolvedSpool | null {
  if (raw === false) return null;
  const options = parseOptionsObject('spool', raw) ?? {};
  for (const key of Object.keys(options)) {
    if (!SPOOL_KEYS.has(key)) {
      throw new LogferryConfigError(
        `spool.${key}`,
        options[key],
        `remove it: spool takes ${[...SPOOL_KEYS].join(', ')} (LOG_SPOOL_RESCAN_MS is set in the environment)`,
      );
    }
  }
  const dir = resolveSetting<string | undefined>(env, { option: 'spool.dir', env: 'LOG_SPOOL_DIR' }, options.dir, text(4096), undefined);
  const maxBytes = resolveSetting(
    env,
    { option: 'spool.maxBytes', env: 'LOG_SPOOL_MAX_BYTES' },
    options.maxBytes,
    wholeNumber(MAX_BYTES_RANGE),
    DEFAULT_MAX_BYTES,
  );
  const fsync = resolveSetting(env, { option: 'spool.fsync', env: 'LOG_SPOOL_FSYNC' }, options.fsync, parseBoolean, false);
  const rescanMs = resolveSetting(
    env,
    { option: 'LOG_SPOOL_RESCAN_MS', env: 'LOG_SPOOL_RESCAN_MS' },
    undefined,
    wholeNumber(RESCAN_RANGE),
    30_000,
  );
  if (dir === undefined) return null;
  return { dir: dir.trim(), maxBytes, fsync, rescanMs, dirSetting: options.dir !== undefined ? 'spool.dir' : 'LOG_SPOOL_DIR' };
}
