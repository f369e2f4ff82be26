import type { Logger } from 'pino';
import { LogferryConfigError } from './errors.js';
import { type LevelSpec, levelForModule, levelValue, lowerLevel, parseLevelSpec } from './levels.js';
import type { LogLevel } from './options.js';
import { lowestLevel, type RootState, rootState } from './root.js';
import { TRANSACTIONAL_CHANNEL } from './wire.js';

// Which level each logger has, and changing them all at run time (setLogLevel). Loggers are
// remembered weakly: an app that creates loggers per request does not keep them alive.

interface TrackedLogger {
  ref: WeakRef<Logger>;
  module: string;
  transactional: boolean;
}

let tracked: TrackedLogger[] = [];
let prunedAt = 64;

/**
 * The audit trail is at least `info`, whatever LOG_LEVEL says for the app, so that
 * LOG_LEVEL=warn does not silently stop it; `transactional=<level>` in LOG_LEVEL overrides.
 */
export function moduleLevel(root: RootState, module: string, transactional: boolean): LogLevel {
  const base = root.config.levels.root;
  if (!transactional) return levelForModule(root.config.levels, module, base);
  const auditLevel = base === 'silent' ? base : lowerLevel(base, 'info');
  return levelForModule(root.config.levels, TRANSACTIONAL_CHANNEL, levelForModule(root.config.levels, module, auditLevel));
}

/** Remembers a logger so setLogLevel can change it. */
export function trackLogger(logger: Logger, module: string, transactional: boolean): void {
  tracked.push({ ref: new WeakRef(logger), module, transactional });
  if (tracked.length >= prunedAt) {
    tracked = tracked.filter((entry) => entry.ref.deref() !== undefined);
    prunedAt = Math.max(64, tracked.length * 2);
  }
}

/**
 * Changes the levels at run time, with the syntax of `LOG_LEVEL` (`info,db=debug`): every
 * logger already created and every later one. A spec without a root level keeps the current
 * one; module overrides are replaced by the spec's. Returns the previous spec, to restore it.
 */
export function setLogLevel(spec: string): string {
  if (typeof spec !== 'string') throw new LogferryConfigError('setLogLevel', spec, 'give a LOG_LEVEL-style string, e.g. info,db=debug');
  const root = rootState();
  const parsed = parseLevelSpec('setLogLevel', spec);
  const levels = { ...parsed, root: parsed.root ?? root.config.levels.root };
  if (root.shared === undefined && levelValue(lowestLevel({ levels })) !== Number.POSITIVE_INFINITY) {
    throw new LogferryConfigError(
      'setLogLevel',
      spec,
      'logging was silent at start-up (LOG_LEVEL=silent, or the test profile), so no sink was started; set LOG_LEVEL or configureLogging({ level }) before the first logger',
    );
  }
  const previous = formatLevelSpec(root.config.levels);
  root.config.levels = levels;
  root.logger.level = lowestLevel(root.config);
  for (const entry of tracked) {
    const logger = entry.ref.deref();
    if (logger) logger.level = moduleLevel(root, entry.module, entry.transactional);
  }
  return previous;
}

/** A level spec written back in LOG_LEVEL syntax. */
export function formatLevelSpec(spec: LevelSpec & { root: LogLevel }): string {
  return [spec.root, ...spec.modules.map((entry) => `${entry.module}=${entry.level}`)].join(',');
}
