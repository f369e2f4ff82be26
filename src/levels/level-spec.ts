import { LogferryConfigError } from '../errors.js';
import type { LogLevel } from '../options.js';
import { LEVELS, type LevelName } from '../wire/protocol.js';

const ACCEPTED_LEVELS = `${Object.keys(LEVELS).join(', ')} or silent`;

/** A root level plus per-module overrides, as `LOG_LEVEL=info,db=debug,http=warn` says it. */
export interface LevelSpec {
  root: LogLevel | undefined;
  /** Longest prefix first, so `db/pool=trace` wins over `db=debug`. */
  modules: Array<{ module: string; level: LogLevel }>;
}

export function isLogLevel(value: string): value is LogLevel {
  return value === 'silent' || Object.hasOwn(LEVELS, value);
}

export function parseLevel(variable: string, raw: unknown): LogLevel {
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (!isLogLevel(value)) {
    throw new LogferryConfigError(variable, raw, `use one of ${ACCEPTED_LEVELS}`, typeof raw === 'string' ? 'value' : 'type');
  }
  return value;
}

/** A level that can gate a sink: silent is not one, a sink that should get nothing is turned off instead. */
export function parseSinkLevel(variable: string, raw: unknown): LevelName {
  const level = parseLevel(variable, raw);
  if (level === 'silent') {
    throw new LogferryConfigError(variable, raw, `use one of ${Object.keys(LEVELS).join(', ')} (turn the sink off to silence it)`);
  }
  return level;
}

/** What a module override may name: anything createLogger() is given, less separators and spaces. */
const MODULE_NAME = /^[^\s;,=]+$/;

export function parseLevelSpec(variable: string, raw: string): LevelSpec {
  const spec: LevelSpec = { root: undefined, modules: [] };
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (spec.root !== undefined) {
        throw new LogferryConfigError(variable, raw, 'give one root level and module overrides as module=level, e.g. info,db=debug');
      }
      spec.root = parseLevel(variable, item);
      continue;
    }
    const module = item.slice(0, eq).trim();
    if (module === '') throw new LogferryConfigError(variable, raw, 'a module override needs a module name, e.g. db=debug');
    // `info;db=debug` would otherwise name a module `info;db` that no logger has, and do nothing.
    if (!MODULE_NAME.test(module)) {
      throw new LogferryConfigError(
        variable,
        raw,
        `'${module}' is not a module name: separate entries with commas (info,db=debug); a name holds no spaces, ';' or '='`,
      );
    }
    if (spec.modules.some((entry) => entry.module === module)) {
      throw new LogferryConfigError(variable, raw, `module '${module}' is given twice: give each module one level`);
    }
    const level = item
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (!isLogLevel(level)) throw new LogferryConfigError(variable, raw, `'${item}' names no level: use one of ${ACCEPTED_LEVELS}`);
    spec.modules.push({ module, level });
  }
  spec.modules.sort((a, b) => b.module.length - a.module.length);
  return spec;
}

/** The level for a module: its own override, or its parent's (`db` covers `db/pool`), or the fallback. */
export function levelForModule(spec: LevelSpec, module: string, fallback: LogLevel): LogLevel {
  for (const entry of spec.modules) {
    if (module === entry.module || module.startsWith(`${entry.module}/`) || module.startsWith(`${entry.module}.`)) {
      return entry.level;
    }
  }
  return fallback;
}

export function levelValue(level: LogLevel): number {
  return level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS[level];
}

/** The lower (more verbose) of two levels. */
export function lowerLevel(a: LogLevel, b: LogLevel): LogLevel {
  return levelValue(a) <= levelValue(b) ? a : b;
}
