import type { ChildLoggerOptions, Logger, LoggerOptions } from 'pino';
import type { Sanitizer } from '../sanitize/sanitizer.js';
import { fitMessage } from '../wire/fit-line.js';
import { unreadable } from '../wire/serialized-error.js';
import {
  CAPTURE,
  captureMethod,
  GUARD_LEVEL_METHOD,
  guardLevelMethods,
  type LevelMethod,
  type LevelMethodGuard,
  SCOPED_LINES,
  type ScopedLines,
  writeLine,
} from './guarded-level-methods.js';

// Everything a caller hands pino goes through the sanitizer before pino reads it: the
// arguments of every log call (in the level methods, or pino's logMethod hook, before pino
// touches them; see src/guard/guarded-level-methods.ts), the
// bindings of every child (pino serializes them when the child is made, and applies
// formatters.bindings only at the root), and whatever formatters or serializers a child
// brings. And no line crosses to the worker larger than the per-line cap.

/** pino's logMethod hook: the one bounded walk over a call's arguments, then pino's own method. */
export function guardLogMethod(sanitize: Sanitizer, serialize?: FieldSerializer, scoped?: ScopedLines): LogMethodHook {
  const beforeError = scoped?.beforeErrorLine;
  const hook: LogMethodHook = function logMethod(this: Logger, args, method, level) {
    const first: unknown = args[0];
    if (first === CAPTURE) return captureMethod(method as LevelMethod);
    if (beforeError !== undefined && level >= ERROR_LEVEL) beforeError();
    // The common call, `log.info(fields, 'message')`, is passed on directly: no rewrite of the
    // array and no spread of it into pino's method.
    const second: unknown = args[1];
    if (args.length === 2 && typeof first === 'object' && first !== null && typeof second === 'string') {
      method.call(this, sanitize.first(first, serialize), sanitize.text(second));
      return;
    }
    safeArguments(args as unknown[], sanitize, serialize);
    if (args.length === 1) method.call(this, args[0]);
    else method.apply(this, args);
  };
  const guard: LevelMethodGuard = (log, level) =>
    guardedLevelMethod(log, level, sanitize, serialize, level >= ERROR_LEVEL ? beforeError : undefined);
  return Object.assign(hook, { [GUARD_LEVEL_METHOD]: guard, [SCOPED_LINES]: scoped });
}

/** pino's `error`: a line at it or above makes a buffering scope write what it held first. */
const ERROR_LEVEL = 50;

type LogMethodHook = NonNullable<NonNullable<LoggerOptions['hooks']>['logMethod']>;

// The hook's guard as the level method itself (installed by guardLevelMethods): pino's hook
// wrapper collects the arguments into an array and makes two calls more on every line, and the
// common call needs none of pino's argument handling, so it is written directly.
function guardedLevelMethod(
  log: LevelMethod,
  level: number,
  sanitize: Sanitizer,
  serialize: FieldSerializer | undefined,
  beforeError: (() => void) | undefined,
): LevelMethod {
  const otherCall = function otherCall(this: Logger, ...args: unknown[]): void {
    safeArguments(args, sanitize, serialize);
    log.apply(this, args);
  };
  return function guardedLevelMethod(this: Logger, first?: unknown, second?: unknown): void {
    if (beforeError !== undefined) beforeError();
    // biome-ignore lint/complexity/noArguments: the count tells `info(fields, msg)` from `info(fields, msg, undefined)`.
    if (arguments.length === 2 && typeof first === 'object' && first !== null && typeof second === 'string') {
      writeLine(this, sanitize.first(first, serialize), sanitize.text(second), level, log);
      return;
    }
    // biome-ignore lint/complexity/noArguments: forwarding `arguments` is free; a rest array on every call is not.
    otherCall.apply(this, arguments as unknown as unknown[]);
  };
}

/** The app's serializers (configureLogging's `serializers`), applied to the fields before the walk. */
export type FieldSerializer = (fields: Record<string, unknown>) => Record<string, unknown>;

/** Rewrites a log call's arguments in place (pino made the array for this call alone). */
export function safeArguments(args: unknown[], sanitize: Sanitizer, serialize?: FieldSerializer): void {
  const first = args[0];
  if (typeof first === 'object' && first !== null) args[0] = sanitize.first(first, serialize);
  else if (typeof first === 'string') args[0] = sanitize.text(first);
  else if (typeof first === 'symbol') {
    // pino writes a Symbol message as invalid JSON, and drops the message that follows it.
    const shown = first.toString();
    if (typeof args[1] === 'string') {
      args.splice(0, 2, `${args.length > 2 ? shown.replaceAll('%', '%%') : shown} ${args[1]}`);
    } else args[0] = shown;
  } else if (typeof first === 'function') {
    // pino would prepend a child's msgPrefix to it, calling its (own, maybe throwing) toString.
    args[0] = functionName(first);
  }
  for (let i = 1; i < args.length; i++) {
    const item = args[i];
    if (typeof item === 'string') args[i] = sanitize.text(item);
    else if (typeof item === 'object' || typeof item === 'symbol') args[i] = sanitize.value(item);
    else if (typeof item === 'function') args[i] = functionName(item);
  }
}

// A function format argument as its name: pino's `%s` would call its (own, maybe throwing) toString.
function functionName(fn: object): string {
  try {
    const name = Object.getOwnPropertyDescriptor(fn, 'name')?.value;
    return typeof name === 'string' && name !== '' ? `[Function: ${name}]` : '[Function]';
  } catch {
    return '[Function]';
  }
}

/**
 * Makes `child` and `setBindings` of `root`, and so of every descendant (children are made with
 * Object.create of their parent), sanitize bindings first, and wraps the formatters and
 * serializers a child is given so that what they return is sanitized too and never throws.
 * The level methods get the logMethod hook's guard in front of pino's own (guardLevelMethods).
 */
export function guardChildren(root: Logger, sanitize: Sanitizer, rootLog: LogFormatter): void {
  guardLevelMethods(root);
  const child = root.child as unknown as (this: Logger, bindings: Record<string, unknown>, options?: ChildLoggerOptions) => Logger;
  const setBindings = root.setBindings as unknown as (this: Logger, bindings: Record<string, unknown>) => void;
  const safeBindings = (bindings: unknown): unknown => {
    if (typeof bindings !== 'object' || bindings === null) return bindings; // pino's own error
    const out = sanitize(bindings as Record<string, unknown>);
    // pino calls bindings.hasOwnProperty(), which a null-prototype object lacks.
    return Object.getPrototypeOf(out) === null ? { ...out } : out;
  };
  Object.defineProperty(root, 'child', {
    configurable: true,
    writable: true,
    value: function guardedChild(this: Logger, bindings: Record<string, unknown>, options?: ChildLoggerOptions) {
      return child.call(this, safeBindings(bindings) as Record<string, unknown>, options && safeChildOptions(options, sanitize, rootLog));
    },
  });
  Object.defineProperty(root, 'setBindings', {
    configurable: true,
    writable: true,
    value: function guardedSetBindings(this: Logger, bindings: Record<string, unknown>) {
      setBindings.call(this, safeBindings(bindings) as Record<string, unknown>);
    },
  });
}

type Formatters = NonNullable<ChildLoggerOptions['formatters']>;
/** The root's log formatter (it adds the withLogContext fields). */
export type LogFormatter = (fields: Record<string, unknown>) => Record<string, unknown>;

function safeChildOptions(options: ChildLoggerOptions, sanitize: Sanitizer, rootLog: LogFormatter): ChildLoggerOptions {
  let safe = options;
  // pino prepends the prefix after the logMethod hook has sanitized the message.
  if (typeof options.msgPrefix === 'string') safe = { ...safe, msgPrefix: sanitize.text(options.msgPrefix) };
  if (options.formatters) {
    const { log, bindings } = options.formatters;
    const formatters: Formatters = { ...options.formatters };
    // The child's own log formatter replaces the root's (context and all): run both, ours first.
    if (log)
      formatters.log = (fields) => sanitize(guarded(() => log(rootLog(fields as Record<string, unknown>))) as Record<string, unknown>);
    if (bindings) formatters.bindings = (values) => sanitize(guarded(() => bindings(values)) as Record<string, unknown>);
    safe = { ...safe, formatters };
  }
  if (options.serializers) {
    const serializers: Record<string, (value: unknown) => unknown> = {};
    for (const [key, serialize] of Object.entries(options.serializers)) {
      serializers[key] = (value) => sanitize.value(guarded(() => serialize(value)));
    }
    safe = { ...safe, serializers };
  }
  return safe;
}

function guarded<T>(call: () => T): T | Record<string, unknown> {
  try {
    return call();
  } catch (thrown) {
    return { unreadable: unreadable(thrown) };
  }
}

/**
 * pino's streamWrite hook: a line over `maxBytes` (UTF-8, newline included) is fitted on the
 * app's thread, before it crosses to the worker, the way the CloudWatch sink fits an event.
 */
export function capLineBytes(maxBytes: number): (line: string) => string {
  return (line) => {
    // Every UTF-16 unit is at most 3 UTF-8 bytes: ordinary lines are never measured.
    if (line.length * 3 <= maxBytes) return line;
    const body = line.endsWith('\n') ? line.slice(0, -1) : line;
    const fitted = fitMessage(body, maxBytes - 1);
    return fitted.truncated ? `${fitted.message}\n` : line;
  };
}
