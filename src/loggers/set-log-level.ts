import { LogferryConfigError } from '../errors.js';
import { levelValue, parseLevelSpec } from '../levels/level-spec.js';
import { formatLevelSpec, loggerLevel, lowestLevel } from '../levels/logger-levels.js';
import { rootState } from './build-root.js';
import { liveLoggers } from './create-logger.js';

// Changing every logger's level at run time (setLogLevel).

/**
 * Changes the levels at run time, with the syntax of `LOG_LEVEL` (`info,db=debug`): every
 * logger already created and every later one. A spec without a root level keeps the current
 * one; module overrides are replaced by the spec's. Returns the previous spec, to restore it.
 */
export function setLogLevel(spec: string): string {
  if (typeof spec !== 'string') throw new LogferryConfigError('setLogLevel', spec, 'give a LOG_LEVEL-style string, e.g. info,db=debug');
  const root = rootState('setLogLevel() built the root logger (it builds it when called before any logger)');
  const parsed = parseLevelSpec('setLogLevel', spec);
  const levels = { ...parsed, root: parsed.root ?? root.config.levels.root };
  if (root.shared === undefined && levelValue(lowestLevel(levels)) !== Number.POSITIVE_INFINITY) {
    throw new LogferryConfigError(
      'setLogLevel',
      spec,
      'logging was silent at start-up (LOG_LEVEL=silent, or the test profile), so no sink was started; set LOG_LEVEL or configureLogging({ level }) before the first logger',
    );
  }
  const previous = formatLevelSpec(root.config.levels);
  root.config.levels = levels;
  root.logger.level = lowestLevel(root.config.levels);
  for (const entry of liveLoggers()) {
    const logger = entry.ref.deref();
    if (logger) logger.level = loggerLevel(root.config.levels, entry.module, entry.transactional);
  }
  return previous;
}
