import type { Config } from '../config/load-config.js';
import { createLogScope, type LogScope } from '../context/log-scope.js';

// Opening the scope of a request or an invocation: whether it holds lines, and whether it is
// one of the sampled ones (LOG_SAMPLE_RATE), decided once, as it starts.

let random: () => number = Math.random;

/**
 * Replaces the random source sampling draws from (a number in [0, 1)); returns the previous one.
 * For tests, which need a deterministic draw.
 */
export function useSampleRandom(source: () => number): () => number {
  const previous = random;
  random = source;
  return previous;
}

/** A new scope, or undefined when neither buffering nor sampling is on (the ordinary path pays nothing). */
export function openLogScope(config: Pick<Config, 'buffer' | 'sampleRate'>): LogScope | undefined {
  if (config.buffer === null && config.sampleRate === 0) return undefined;
  return createLogScope(config.sampleRate > 0 && random() < config.sampleRate);
}
