export { type Config, loadConfig } from './load-config.js';
export { checkOptionsArgument, mergeOptions } from './merge-options.js';
export type { ResolvedSpool } from './spool-settings.js';
