export { type Config, loadConfig } from './load-config.js';
export type { ResolvedSpool } from './spool-settings.js';
