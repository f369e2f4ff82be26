import pino from 'pino';
import { guardChildren, type LogFormatter } from '../../src/guard/log-call-guard.js';
import { sanitizingOptions } from '../../src/loggers/build-root.js';
import type { Sanitizer } from '../../src/sanitize/sanitizer.js';

/**
 * A pino logger built as logferry's root is (its guards, formatters and level methods), without a
 * worker: `destination` gets its lines. With `guarded` false, pino keeps its own level methods
 * around the logMethod hook (what the guarded methods stand in for).
 */
export function guardedLogger(
  sanitize: Sanitizer,
  destination: pino.DestinationStream,
  extra: pino.LoggerOptions = {},
  guarded = true,
): pino.Logger {
  const options = { ...sanitizingOptions(sanitize, 1024 * 1024), ...extra };
  const logger = pino(options, destination);
  if (guarded) guardChildren(logger, sanitize, (options.formatters as { log: LogFormatter }).log);
  return logger;
}

/** A destination that keeps each line in `lines`. */
export const into = (lines: string[]): pino.DestinationStream => ({ write: (line: string) => void lines.push(line) });
