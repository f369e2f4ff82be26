import pino from 'pino';
import { readLinePrefix } from './wire.js';

// stdout written by the app's thread, for when there is no log worker to write it: JSON lines,
// synchronously, so a line logged just before the process ends is on fd 1 when it does.

/** A pino destination on fd 1 that keeps lines at `minLevel` and above (LOG_LEVEL_CONSOLE). */
export function appThreadStdout(minLevel: number): { write(line: string): void } {
  const out = pino.destination({ dest: 1, sync: true });
  return {
    write(line) {
      const prefix = readLinePrefix(line);
      if (prefix === undefined || prefix.level >= minLevel) out.write(line);
    },
  };
}
