import { Buffer } from 'node:buffer';
import type { Logger } from 'pino';
import type { ResolvedBuffer } from '../config/buffer-settings.js';
import { currentLogScope, type LogScope } from '../context/log-scope.js';
import type { LevelMethod, ScopedLines } from '../guard/guarded-level-methods.js';
import { destinationOf, giveOwnDestination } from '../root/destination.js';
import { LEVELS } from '../wire/protocol.js';
import { countBuffered } from './buffer-stats.js';
import { writeHeldBeforeError } from './scope-end.js';

// The level methods below a logger's level, when buffering or sampling is on. Inside a scope a
// line is made exactly as it would be written (guard, context, time, line cap), by the logger's
// shadow: a copy at the lowest level in use whose destination keeps the text instead of writing
// it. A sampled scope's line is then written; any other is held. Outside a scope they do nothing.

let made: string | undefined;
/** The shadows' destination: keeps the one line just made. */
const keep = {
  write(text: string): void {
    made = text;
  },
};

/** The ScopedLines for a root with these settings, or undefined when neither buffering nor sampling is on. */
export function scopedLines(buffer: ResolvedBuffer | null, sampleRate: number): ScopedLines | undefined {
  const bufferLevel = buffer === null ? Number.POSITIVE_INFINITY : LEVELS[buffer.level];
  const sampleLevel = sampleRate > 0 ? LEVELS.debug : Number.POSITIVE_INFINITY;
  const minLevel = Math.min(bufferLevel, sampleLevel);
  if (minLevel === Number.POSITIVE_INFINITY) return undefined;
  const maxBytes = buffer?.maxBytes ?? 0;
  const shadows = new WeakMap<object, Logger>();

  function shadowOf(logger: Logger): Logger {
    let shadow = shadows.get(logger);
    if (shadow === undefined) {
      shadow = Object.create(logger) as Logger;
      giveOwnDestination(shadow, keep);
      // pino's setLevel (through the guard's) gives the shadow its own level methods down to minLevel.
      shadow.level = logger.levels.labels[minLevel] as string;
      shadows.set(logger, shadow);
    }
    return shadow;
  }

  function lineOf(logger: Logger, level: number, args: IArguments): string | undefined {
    const shadow = shadowOf(logger);
    const method = (shadow as unknown as Record<string, LevelMethod>)[logger.levels.labels[level] as string];
    made = undefined;
    method?.apply(shadow, args as unknown as unknown[]);
    const text = made;
    made = undefined;
    return text;
  }

  function hold(scope: LogScope, logger: Logger, text: string): void {
    const bytes = Buffer.byteLength(text);
    scope.held.push({ text, bytes, logger });
    scope.heldBytes += bytes;
    countBuffered('bufferHeld', 1);
    let dropped = 0;
    while (scope.heldBytes > maxBytes && scope.held.length > 0) {
      scope.heldBytes -= (scope.held.shift() as LogScope['held'][number]).bytes;
      dropped++;
    }
    if (dropped > 0) {
      scope.dropped += dropped;
      countBuffered('bufferDiscarded', dropped);
    }
  }

  const methods = new Map<number, LevelMethod>();
  function heldMethod(level: number): LevelMethod {
    let method = methods.get(level);
    if (method !== undefined) return method;
    const holds = level >= bufferLevel;
    const samples = level >= sampleLevel;
    method = function heldLine(this: Logger): void {
      const scope = currentLogScope();
      if (scope === undefined || scope.ended) return;
      const written = scope.sampled && samples;
      if (!written && !holds) return;
      // biome-ignore lint/complexity/noArguments: forwarded as they came, as pino's own method takes them.
      const text = lineOf(this, level, arguments);
      if (text === undefined) return;
      if (written) destinationOf(this)?.write(text);
      else hold(scope, this, text);
    };
    methods.set(level, method);
    return method;
  }

  return { minLevel, heldMethod, beforeErrorLine: writeHeldBeforeError };
}
