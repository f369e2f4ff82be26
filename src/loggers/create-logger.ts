import type { Logger } from 'pino';
import { loggerLevel } from '../levels/logger-levels.js';
import { CHANNEL_FIELD, TRANSACTIONAL_CHANNEL } from '../wire/protocol.js';
import { unreadable } from '../wire/serialized-error.js';
import { rootState } from './build-root.js';
import { moduleName } from './module-name.js';

/**
 * A pino child logger of the one shared root, bound with `{ module }` and at the level
 * LOG_LEVEL gives that module. `module` may be a name, `import.meta.url` or `__filename`
 * (shortened to a path relative to the working directory, without extension).
 * `{ channel: 'transactional' }` in `bindings` makes it a transactional-channel logger.
 */
export function createLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  const root = rootState();
  const name = moduleName(module);
  const rest = withoutModule(bindings);
  const transactional = rest[CHANNEL_FIELD] === TRANSACTIONAL_CHANNEL;
  // channel first: the CloudWatch sink recognises transactional lines by their prefix without parsing them.
  const ordered = transactional ? { [CHANNEL_FIELD]: TRANSACTIONAL_CHANNEL, module: name, ...rest } : { module: name, ...rest };
  return tracked(root.logger.child(ordered, { level: loggerLevel(root.config.levels, name, transactional) }), name, transactional);
}

// Reading the bindings runs their getters: one that throws must not make createLogger throw.
// The child sanitizes what is left.
function withoutModule(bindings: Record<string, unknown>): Record<string, unknown> {
  try {
    const { module: _ignored, ...rest } = bindings;
    return rest;
  } catch (thrown) {
    return { bindings: unreadable(thrown) };
  }
}

function createTransactionalLogger(): Logger {
  const root = rootState();
  return tracked(
    root.logger.child({ [CHANNEL_FIELD]: TRANSACTIONAL_CHANNEL }, { level: loggerLevel(root.config.levels, TRANSACTIONAL_CHANNEL, true) }),
    TRANSACTIONAL_CHANNEL,
    true,
  );
}

/** A logger setLogLevel can change later, remembered weakly. */
export interface TrackedLogger {
  // A WeakRef, typed by shape: WeakRef is ES2021, and this type reaches the published declarations.
  ref: { deref(): Logger | undefined };
  module: string;
  transactional: boolean;
}

// Weak: an app that creates loggers per request does not keep them alive. Dead entries are
// pruned whenever the list has doubled since the last pruning.
let trackedLoggers: TrackedLogger[] = [];
let pruneAt = 64;

function tracked(logger: Logger, module: string, transactional: boolean): Logger {
  trackedLoggers.push({ ref: new WeakRef(logger), module, transactional });
  if (trackedLoggers.length >= pruneAt) {
    trackedLoggers = trackedLoggers.filter((entry) => entry.ref.deref() !== undefined);
    pruneAt = Math.max(64, trackedLoggers.length * 2);
  }
  return logger;
}

/** Every logger created so far that is still alive (for setLogLevel). */
export function liveLoggers(): readonly TrackedLogger[] {
  return trackedLoggers;
}

/**
 * The transactional channel logger, created on first use so that importing logferry does
 * not build the root before configureLogging() had its chance. Methods are bound once and
 * cached, so a call costs one property lookup more than a plain child logger. pino replaces
 * the level methods (`info` becomes a no-op and back) when the level changes, so the cache is
 * dropped whenever the logger's level value differs from the one it was filled at.
 */
function lazyLogger(create: () => Logger): Logger {
  let real: Logger | undefined;
  const bound = new Map<PropertyKey, unknown>();
  let boundAtLevel = Number.NaN;
  return new Proxy({} as Logger, {
    get(_target, property) {
      real ??= create();
      const logger = real;
      if (logger.levelVal !== boundAtLevel) {
        bound.clear();
        boundAtLevel = logger.levelVal;
      }
      const cached = bound.get(property);
      if (cached !== undefined) return cached;
      const value: unknown = Reflect.get(logger, property, logger);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(logger);
      bound.set(property, method);
      return method;
    },
    set(_target, property, value) {
      real ??= create();
      return Reflect.set(real, property, value);
    },
    has(_target, property) {
      real ??= create();
      return Reflect.has(real, property);
    },
    getPrototypeOf() {
      real ??= create();
      return Reflect.getPrototypeOf(real);
    },
  });
}

export const transactionalLogger: Logger = lazyLogger(createTransactionalLogger);
