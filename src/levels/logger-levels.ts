import type { LogLevel } from '../options.js';
import { TRANSACTIONAL_CHANNEL } from '../wire/protocol.js';
import { type LevelSpec, levelForModule, lowerLevel } from './level-spec.js';

// Which level each logger gets from a level spec: the rules createLogger() applies when a logger
// is made and setLogLevel() applies again to every live one.

/** A level spec whose root level is known. */
export type RootedLevelSpec = LevelSpec & { root: LogLevel };

/**
 * The audit trail is never quieter than `info`, whatever LOG_LEVEL says for the app or for the
 * module, so that LOG_LEVEL=warn or billing=warn does not silently stop it; only
 * `transactional=<level>` in LOG_LEVEL sets it otherwise. LOG_LEVEL=silent still silences all.
 */
export function auditLevel(levels: RootedLevelSpec, module: string): LogLevel {
  const named = levels.modules.find((entry) => entry.module === TRANSACTIONAL_CHANNEL);
  if (named) return named.level;
  const moduleLevel = levelForModule(levels, module, levels.root);
  return levels.root === 'silent' && moduleLevel === 'silent' ? 'silent' : lowerLevel(moduleLevel, 'info');
}

/** The level a logger of `module` (or of the transactional channel) gets. */
export function loggerLevel(levels: RootedLevelSpec, module: string, transactional: boolean): LogLevel {
  return transactional ? auditLevel(levels, module) : levelForModule(levels, module, levels.root);
}

/** The root logger must let through the most verbose level any module or channel asks for. */
export function lowestLevel(levels: RootedLevelSpec): LogLevel {
  let level = levels.root;
  for (const entry of levels.modules) level = lowerLevel(level, entry.level);
  return level;
}

/** A level spec written back in LOG_LEVEL syntax. */
export function formatLevelSpec(spec: RootedLevelSpec): string {
  return [spec.root, ...spec.modules.map((entry) => `${entry.module}=${entry.level}`)].join(',');
}
