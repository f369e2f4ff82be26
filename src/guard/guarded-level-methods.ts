import pino, { type Logger } from 'pino';
import { markPlainTables, writePlainLine } from '../line/plain-line-writer.js';

// pino makes a logger's level methods (`info`…) when its level is set, and with a logMethod hook
// each one collects its arguments into an array and calls the hook, which calls pino's method:
// two calls and an array more per line. logferry's hook (src/guard/log-call-guard.ts) also offers its
// guard as a level method of its own; this file installs that in place of pino's, on the root and
// on every logger pino makes level methods for again (a level change, a child with its own level
// or custom levels). It uses pino.symbols, pino's published hooks for such integrations.

/** One of pino's level methods (`info`…): `this` is the logger. */
export type LevelMethod = (this: Logger, ...args: unknown[]) => void;
/** Makes the guarded level method for pino's own method `log` of the level numbered `level`. */
export type LevelMethodGuard = (log: LevelMethod, level: number) => LevelMethod;

/** The property of the logMethod hook that holds its LevelMethodGuard. */
export const GUARD_LEVEL_METHOD = Symbol('logferry level method guard');
/**
 * Per-scope buffering and sampling (src/buffer/), as the guard sees it: a method for each level
 * below a logger's own but at or above `minLevel` (pino's would be a no-op), and a call made
 * before every line at error or above, which writes what the scope held.
 */
export interface ScopedLines {
  readonly minLevel: number;
  heldMethod(level: number): LevelMethod;
  beforeErrorLine(): void;
}
/** The property of the logMethod hook that holds its ScopedLines, when buffering or sampling is on. */
export const SCOPED_LINES = Symbol('logferry scoped lines');

/** Given as the only argument of a hooked level method, the hook hands over pino's method instead of logging. */
export const CAPTURE: object = Object.freeze({});

let captured: LevelMethod | undefined;
const guardedMethods = new WeakSet<LevelMethod>();

/** What the hook does when it is given CAPTURE: keeps pino's method for guardLevelMethods. */
export function captureMethod(method: LevelMethod): void {
  captured = method;
}

type Internals = Record<symbol, unknown>;
const { hooksSym, setLevelSym } = pino.symbols;
// Not in pino's type declarations, but in pino.symbols with the rest.
const msgPrefixSym = (pino.symbols as unknown as Record<string, symbol>).msgPrefixSym as symbol;

/**
 * Writes the line of `logger.<level>(fields, message)` whose arguments the guard has already
 * made safe. pino's own method `log` does nothing more for such a call than hand both to the
 * logger's write, unless the logger has a message prefix or the fields look like an HTTP
 * request or response (which pino maps): those go through `log`.
 */
export function writeLine(logger: Logger, fields: Record<string, unknown>, message: string, level: number, log: LevelMethod): void {
  const internals = logger as unknown as Internals;
  if (internals[msgPrefixSym] !== undefined || fields.method !== undefined || fields.setHeader !== undefined) {
    log.call(logger, fields, message);
    return;
  }
  writePlainLine(logger, fields, message, level);
}

/**
 * Puts the guard of `root`'s logMethod hook (see GUARD_LEVEL_METHOD) in front of pino's level
 * methods, in place of pino's hook wrapper, now and whenever pino makes them again. `fatal`
 * keeps pino's, which flushes after the line. A root built without the hook is left as it is.
 */
export function guardLevelMethods(root: Logger): void {
  const hooks = (root as unknown as Internals)[hooksSym] as { logMethod?: Partial<Record<symbol, unknown>> } | undefined;
  const guard = hooks?.logMethod?.[GUARD_LEVEL_METHOD] as LevelMethodGuard | undefined;
  const scoped = hooks?.logMethod?.[SCOPED_LINES] as ScopedLines | undefined;
  if (guard === undefined || typeof msgPrefixSym !== 'symbol') return;
  markPlainTables(root);
  const install = (logger: Logger): void => {
    const methods = logger as unknown as Record<string, LevelMethod>;
    const { values } = logger.levels;
    for (const name of Object.keys(values)) {
      const hooked = methods[name];
      if (name === 'fatal' || typeof hooked !== 'function' || guardedMethods.has(hooked)) continue;
      if (!logger.isLevelEnabled(name)) {
        // A level below the logger's: held (or written, when sampled) inside a scope; a silent logger stays silent.
        const value = values[name] as number;
        if (scoped !== undefined && value >= scoped.minLevel && Number.isFinite(logger.levelVal)) methods[name] = scoped.heldMethod(value);
        continue;
      }
      captured = undefined;
      hooked.call(logger, CAPTURE);
      const log = captured as LevelMethod | undefined;
      captured = undefined;
      if (log === undefined) continue; // not pino's hook wrapper: left alone
      const method = guard(log, values[name] as number);
      guardedMethods.add(method);
      methods[name] = method;
    }
  };
  const setLevel = (root as unknown as Internals)[setLevelSym] as (this: Logger, level: unknown) => void;
  Object.defineProperty(root, setLevelSym, {
    configurable: true,
    writable: true,
    value: function guardedSetLevel(this: Logger, level: unknown) {
      setLevel.call(this, level);
      install(this);
    },
  });
  install(root);
}
