import { LogferryConfigError } from '../errors.js';
import { parseSinkLevel } from '../levels/level-spec.js';
import type { BufferOptions } from '../options.js';
import type { LevelName } from '../wire/protocol.js';
import { BUFFER_OPTION_KEYS } from './option-keys.js';
import { checkKnownKeys, type Env, fromEnvironment, parseOptionsObject, resolveSetting, wholeNumber } from './read-setting.js';

// Per-scope buffering and sampling (docs/integrations.md#debug-detail-for-failing-requests), from
// configureLogging({ buffer, sampleRate }) or the environment, on the same checked path as the rest.

/** Buffering as the Config holds it; null when off. */
export interface ResolvedBuffer {
  level: LevelName;
  maxBytes: number;
}

const KiB = 1024;
/** Powertools' default buffer size is 20 KiB; a request's debug detail with a stack or two fits in 64. */
export const DEFAULT_BUFFER_MAX_BYTES = 64 * KiB;
// Below 1 KiB a scope holds hardly a line; above 16 MiB a thousand concurrent failing scopes would hold gigabytes.
const MAX_BYTES_RANGE = { min: KiB, max: 16 * KiB * KiB, unit: 'bytes', minNote: '1 KiB', maxNote: '16 MiB' };

/** The buffer's settings, or null when no level is given (or `buffer: false`); maxBytes is checked either way. */
export function resolveBuffer(env: Env, raw: BufferOptions | false | undefined): ResolvedBuffer | null {
  if (raw === false) return null;
  const options = parseOptionsObject('buffer', raw) ?? {};
  checkKnownKeys('buffer', options, BUFFER_OPTION_KEYS);
  const level = resolveSetting<LevelName | undefined>(
    env,
    { option: 'buffer.level', env: 'LOG_BUFFER_LEVEL' },
    options.level,
    parseSinkLevel,
    undefined,
  );
  const maxBytes = resolveSetting(
    env,
    { option: 'buffer.maxBytes', env: 'LOG_BUFFER_MAX_BYTES' },
    options.maxBytes,
    wholeNumber(MAX_BYTES_RANGE),
    DEFAULT_BUFFER_MAX_BYTES,
  );
  return level === undefined ? null : { level, maxBytes };
}

const FRACTION = /^\s*(?:0|1|0?\.\d+|1\.0*)\s*$/;

/** LOG_SAMPLE_RATE / sampleRate: a fraction from 0 to 1. */
export function resolveSampleRate(env: Env, raw: unknown): number {
  return resolveSetting(env, { option: 'sampleRate', env: 'LOG_SAMPLE_RATE' }, raw, parseFraction, 0);
}

function parseFraction(name: string, raw: unknown): number {
  const env = fromEnvironment(name);
  const value = typeof raw === 'number' ? raw : env && typeof raw === 'string' && FRACTION.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    const mistyped = typeof raw !== 'number' && !(env && typeof raw === 'string');
    throw new LogferryConfigError(
      name,
      raw,
      'use a fraction from 0 to 1, such as 0.01 for one request in a hundred',
      mistyped ? 'type' : 'value',
    );
  }
  return value;
}
