import { levelName, UNHANDLED_FIELD } from '../../src/wire/protocol.js';
import { ERROR_MIDDLEWARE_ORIGIN, REQUEST_FIELD, type RequestWire } from '../../src/wire/request-tab.js';
import type { SerializedError } from '../../src/wire/serialized-error.js';
import { capUtf8 } from '../../src/wire/utf8.js';

// A pino line -> what a Bugsnag event should say: the app's own error (class, message,
// stack, causes), severity, handled-ness, context, user and metadata. Pure: no I/O.

export type Severity = 'error' | 'warning' | 'info';

export interface SeverityReason {
  type: string;
  attributes?: Record<string, string>;
}

export interface EventSpec {
  errors: SerializedError;
  severity: Severity;
  unhandled: boolean;
  severityReason: SeverityReason;
  context: string | undefined;
  user: { id?: string; email?: string; name?: string };
  metadata: Record<string, unknown>;
  groupingHash: string | undefined;
  /** Class and message: what rate limiting counts as "the same error". */
  groupKey: string;
  /** The request tab, for an event logged inside a request. */
  request?: BugsnagRequest;
  /** The request's session; `events` (this one included) is filled in when the event is queued. */
  session?: { id: string; startedAt: string; events?: { handled: number; unhandled: number } };
  /** The active OpenTelemetry span, for the event's trace correlation. */
  correlation?: { traceId: string; spanId?: string };
}

/** The event's `request`, as @bugsnag/plugin-express fills it. */
export type BugsnagRequest = Pick<RequestWire, 'url' | 'httpMethod' | 'headers' | 'clientIp' | 'referer'>;

/**
 * Bugsnag refuses events over 1 MB: long values are cut (with the marker and their size) so
 * that an event with a huge field still arrives, readable.
 */
const MAX_VALUE_BYTES = 16 * 1024;
const MAX_VALUES = 2000;

/**
 * Bugsnag's payload serializer (and its metadata merge) copy objects by assignment, which turns a
 * `__proto__` key into a prototype and drops it, so a field of that name is renamed to show.
 */
function metadataKey(key: string): string {
  return key === '__proto__' ? '[__proto__]' : key;
}

function capStrings(value: unknown, budget: { left: number }): unknown {
  if (typeof value === 'string') return capUtf8(value, MAX_VALUE_BYTES);
  if (typeof value !== 'object' || value === null) return value;
  if (--budget.left < 0) return '[more values left out by logferry]';
  if (Array.isArray(value)) return value.map((item) => capStrings(item, budget));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[metadataKey(key)] = capStrings(item, budget);
  return out;
}

/** Fields that describe the line itself rather than what happened. */
const LINE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', UNHANDLED_FIELD, REQUEST_FIELD]);
const LOG_CLASS: Record<string, string> = { warn: 'LogWarning', error: 'LogError', fatal: 'LogFatal' };

export type LogLine = Record<string, unknown> & { level: number; time?: number; msg?: unknown; err?: unknown };

function isSerializedError(value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && typeof (value as SerializedError).type === 'string' && 'message' in value;
}

export function buildEvent(line: LogLine): EventSpec {
  const level = levelName(line.level);
  const message = typeof line.msg === 'string' ? line.msg : '';
  const module = typeof line.module === 'string' ? line.module : undefined;
  const origin = line[UNHANDLED_FIELD];
  const request = requestOf(line[REQUEST_FIELD]);
  const unhandled = origin === 'uncaughtException' || origin === 'unhandledRejection' || origin === ERROR_MIDDLEWARE_ORIGIN;
  const logged = isSerializedError(line.err) ? withBugsnagClass(line.err) : undefined;
  const errors = logged ?? logLineError(level, module, message, line.err);
  const severity: Severity = level === 'warn' ? 'warning' : 'error';
  const severityReason: SeverityReason = unhandled
    ? unhandledReason(origin, request?.framework)
    : logged
      ? { type: 'handledException' }
      : { type: 'log', attributes: { level } };

  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) if (!LINE_FIELDS.has(key)) metadata[metadataKey(key)] = value;
  if (message !== '' && message !== errors.message) metadata.msg = message;
  // A thrown string or plain object logged as `err` has no class or stack to show: keep it as data.
  if (!logged && line.err !== undefined) metadata.err = line.err;
  const tabs: Record<string, unknown> = { log: metadata };
  const errorDetails = errorProperties(errors);
  if (errorDetails) tabs.error = errorDetails;

  const spec: EventSpec = {
    errors,
    severity,
    unhandled,
    severityReason,
    context: typeof line.route === 'string' ? line.route : module,
    user: userOf(line),
    // Every tab, not just the log one, must stay under Bugsnag's event size.
    metadata: capStrings(tabs, { left: MAX_VALUES }) as Record<string, unknown>,
    groupingHash: undefined,
    groupKey: `${errors.type}\u0000${errors.message}`,
  };
  if (request) {
    const { session, framework: _framework, ...tab } = request;
    spec.request = capStrings(tab, { left: MAX_VALUES }) as BugsnagRequest;
    if (session) spec.session = session;
  }
  if (typeof line.trace_id === 'string') {
    spec.correlation = { traceId: line.trace_id, ...(typeof line.span_id === 'string' ? { spanId: line.span_id } : {}) };
  }
  return spec;
}

function unhandledReason(origin: unknown, framework: string | undefined): SeverityReason {
  if (origin === ERROR_MIDDLEWARE_ORIGIN)
    return { type: 'unhandledErrorMiddleware', attributes: { framework: framework ?? 'Express/Connect' } };
  return { type: origin === 'unhandledRejection' ? 'unhandledPromiseRejection' : 'unhandledException' };
}

/** The reserved request field as the app's thread wrote it; anything else in its place is ignored. */
function requestOf(value: unknown): RequestWire | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const wire = value as Partial<RequestWire>;
  if (typeof wire.url !== 'string' || typeof wire.httpMethod !== 'string') return undefined;
  return wire as RequestWire;
}

const ERROR_SHAPE = new Set(['type', 'message', 'stack', 'cause', 'errors']);

/**
 * The error class is the error's own `name` when it has one apart from its constructor's, as
 * @bugsnag/js takes `error.name`: a DOMException AbortError and TimeoutError stay apart. The
 * constructor stays in the error tab.
 */
function withBugsnagClass(error: SerializedError): SerializedError {
  if (typeof error.name !== 'string' || error.name === '') return error;
  const { name, type, ...rest } = error;
  return { ...rest, type: name, constructorName: type };
}

/** The logged error's own properties (code, config, status…), for an `error` tab. */
function errorProperties(error: SerializedError): Record<string, unknown> | undefined {
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (!ERROR_SHAPE.has(key)) details[metadataKey(key)] = value;
  return Object.keys(details).length > 0 ? details : undefined;
}

/**
 * A warn/error line without an error object: its message is the error message, and the
 * class names the level and the module, so such lines group per module, not all in one.
 */
function logLineError(level: string, module: string | undefined, message: string, nonError: unknown): SerializedError {
  const type = `${LOG_CLASS[level] ?? 'LogError'}${module ? ` (${module})` : ''}`;
  const text = message || (nonError === undefined ? '(no message)' : String(JSON.stringify(nonError)));
  // No stack: any frames made here would be the worker's, never the app's.
  return { type, message: text, stack: `${type}: ${text}` };
}

function userOf(line: LogLine): EventSpec['user'] {
  const user: EventSpec['user'] = {};
  const pick = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = line[key];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
    return undefined;
  };
  const id = pick('userId', 'user_id');
  const email = pick('userEmail', 'user_email');
  const name = pick('userName', 'user_name');
  if (id) user.id = id;
  if (email) user.email = email;
  if (name) user.name = name;
  return user;
}

/** `file://` prefixes come off stack paths so Bugsnag's in-project detection works for ESM apps. */
export function stripFileUrls(stack: string): string {
  return stack.replace(/file:\/\/(?=\/)/g, '');
}
