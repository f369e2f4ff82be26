export { type LevelSpec, levelValue, parseLevel, parseLevelSpec, parseSinkLevel } from './level-spec.js';
export { formatLevelSpec, loggerLevel, lowestLevel } from './logger-levels.js';
