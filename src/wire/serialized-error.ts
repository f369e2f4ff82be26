// Errors as JSON: type, message, stack, code and every enumerable property, with `cause`
// chains and AggregateError members kept as separate errors (errWithCause semantics),
// never looping on cycles.

/** The JSON shape of a logged error; sinks rebuild the original from it. */
export interface SerializedError {
  /** The constructor's name, as pino's err serializer writes it. */
  type: string;
  /**
   * The error's own `name` when it differs from `type` (`DOMException` named `AbortError`, a class
   * that sets `this.name`): pino writes it too, and Bugsnag uses it as the error class.
   */
  name?: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: SerializedError | unknown;
  errors?: unknown[];
  [key: string]: unknown;
}

export function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * How the sanitizer walks what an error holds: `value` for its properties, cause and members
 * (redaction, hostile values, the walk's budget and cycle marks), `text` for message and stack.
 */
export interface ErrorWalker {
  /** An enumerable property: censored when its key is secret, walked otherwise. */
  field(key: string, value: unknown): unknown;
  value(value: unknown): unknown;
  text(text: string): string;
  /** Whether the walk's budget has room for another value; when not, the walker notes the cut. */
  hasRoom(): boolean;
}

const OWN_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/** `error` as JSON-ready data. The walker marks a cause chain that loops back. */
export function serializeError(error: Error, walker: ErrorWalker): SerializedError {
  // The name is the app's text too (`type` in every sink): censored like the message.
  const type = errorType(error);
  const out: SerializedError = { type: walker.text(type), message: walker.text(readString(error, 'message')) };
  const name = readString(error, 'name');
  if (name !== '' && name !== type) out.name = walker.text(name);
  const stack = readString(error, 'stack');
  if (stack !== '') out.stack = walker.text(stack);

  // Properties and members spend the walk's budget like any object's: an error with a million
  // properties or members is cut, with a marker, not copied whole.
  const keys = safeKeys(error);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (OWN_FIELDS.has(key)) continue;
    if (!walker.hasRoom()) {
      out['[logferry]'] = `[Cut by logferry: ${keys.length - i} more keys]`;
      break;
    }
    const value = walker.field(key, readField(error, key));
    if (value !== undefined) setField(out, key, value); // an own `toString: undefined` breaks String()
  }

  const cause = readField(error, 'cause');
  if (cause !== undefined) out.cause = walker.value(cause);
  const errors = readField(error, 'errors');
  if (Array.isArray(errors)) out.errors = members(errors, walker);
  keepConvertible(out);
  return out;
}

function members(errors: unknown[], walker: ErrorWalker): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < errors.length; i++) {
    if (!walker.hasRoom()) {
      out.push(`[Cut by logferry: ${errors.length - i} more items]`);
      break;
    }
    out.push(walker.value(readField(errors, String(i))));
  }
  return out;
}

function errorType(error: Error): string {
  try {
    const ctor = error.constructor;
    if (typeof ctor === 'function' && ctor.name && ctor.name !== 'Object') {
      // A subclass that only sets `name` keeps Error as constructor name: prefer the name then.
      return ctor.name === 'Error' && typeof error.name === 'string' && error.name !== '' ? error.name : ctor.name;
    }
  } catch {
    // A hostile constructor getter: fall through to the name.
  }
  const name = readString(error, 'name');
  return name === '' ? 'Error' : name;
}

function readField(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch (thrown) {
    return unreadable(thrown);
  }
}

function readString(target: object, key: string): string {
  const value = readField(target, key);
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

function safeKeys(target: object): string[] {
  try {
    return Object.keys(target);
  } catch {
    return [];
  }
}

/** Assign without letting a `__proto__` key replace the prototype. */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function unreadable(thrown: unknown): string {
  let message: string;
  try {
    message = isErrorLike(thrown) ? thrown.message : String(thrown);
  } catch {
    message = 'unknown';
  }
  return `[Unreadable: ${message}]`;
}

const objectToString = Object.prototype.toString;
const objectValueOf = Object.prototype.valueOf;
const asObjectText = (): string => '[object Object]';

/**
 * Makes `String(out)` work on a walked object with an own `toString` or `valueOf` member (data,
 * as the walk drops functions): pino's `%s`, `%d` and a child's msgPrefix would throw on it.
 * The member stays in the line; the conversion is a hidden own Symbol.toPrimitive.
 */
export function keepConvertible(out: Record<string, unknown>): void {
  if (out.toString === objectToString && out.valueOf === objectValueOf) return;
  Object.defineProperty(out, Symbol.toPrimitive, { value: asObjectText });
}
