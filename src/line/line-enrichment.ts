import type { LoggerOptions } from 'pino';
import type { Config } from '../config/load-config.js';
import { currentContextFrame, currentLogContext } from '../context/log-context.js';
import { requestTabReader } from '../context/request-scope.js';
import { type ActiveTraceReader, loadActiveTraceReader } from '../context/trace-ids.js';
import { currentXrayTraceId, XRAY_TRACE_ID_FIELD, xrayApplies } from '../context/xray.js';
import type { LogSerializer } from '../options.js';
import type { KeyMatcher } from '../redact/secret-keys.js';
import type { Sanitizer } from '../sanitize/sanitizer.js';
import { LEVELS } from '../wire/protocol.js';
import { REQUEST_FIELD, type RequestWire } from '../wire/request-tab.js';
import { contextTextReader } from './context-text.js';
import { CONTEXT_TEXT_SPLIT, type SplitLogFormatter } from './plain-line-writer.js';

// What the app's thread adds to each line, in pino's log formatter: the app's serializers
// (before redaction, so what they return is censored too), the withLogContext fields, trace
// ids and the Bugsnag request tab. Only the parts a process uses cost anything.

/** What lines get besides the logged fields; each part is optional. */
export interface LineEnrichment {
  serializers?: Readonly<Record<string, LogSerializer>>;
  /** The active OpenTelemetry span's ids (when @opentelemetry/api is installed). */
  activeTrace?: ActiveTraceReader;
  /** The current X-Ray trace Root (on Lambda). */
  xrayTraceId?: () => string | undefined;
  /** The request tab, on lines at `minLevel` and above logged inside a tracked request. */
  requestTab?: { minLevel: number; read: () => RequestWire | undefined };
}

/** The pino options that carry the enrichment: formatters, and a level probe when the request tab needs the line's level. */
export function lineOptions(
  sanitize: Sanitizer,
  enrichment: LineEnrichment = {},
): Pick<LoggerOptions, 'formatters' | 'mixin' | 'mixinMergeStrategy'> {
  const { serializers, activeTrace, xrayTraceId, requestTab } = enrichment;
  const serialize = fieldSerializer(serializers);
  const prepare = serialize ? (fields: Record<string, unknown>) => sanitize(serialize(fields)) : sanitize;
  const plain = activeTrace === undefined && xrayTraceId === undefined && requestTab === undefined;

  // pino's log formatter does not get the level; its mixin does, right before, in the same call.
  let lineLevel = 0;
  const levelProbe: Pick<LoggerOptions, 'mixin' | 'mixinMergeStrategy'> = requestTab
    ? {
        mixin: (_fields: object, level: number) => {
          lineLevel = level;
          return NOTHING;
        },
        mixinMergeStrategy: (fields: object) => fields,
      }
    : {};

  // A line's own fields arrive serialized and sanitized already: the root's logMethod hook
  // (src/guard/log-call-guard.ts) does both before pino reads them. Bindings come here at the root.
  const contextText = contextTextReader(sanitize);
  const withContext = (context: Readonly<Record<string, unknown>> | undefined, fields: Record<string, unknown>) =>
    context === undefined ? fields : { ...sanitize(context), ...fields };
  const enriched = (fields: Record<string, unknown>, context: Readonly<Record<string, unknown>> | undefined) => {
    const level = lineLevel;
    const trace = activeTrace?.();
    const xray = xrayTraceId?.();
    const tab = requestTab !== undefined && level >= requestTab.minLevel ? requestTab.read() : undefined;
    if (trace === undefined && xray === undefined && tab === undefined) return undefined;
    const line: Record<string, unknown> = context === undefined ? {} : { ...sanitize(context) };
    if (xray !== undefined) line[XRAY_TRACE_ID_FIELD] = xray;
    if (trace !== undefined) Object.assign(line, trace);
    Object.assign(line, fields);
    if (tab !== undefined) line[REQUEST_FIELD] = tab;
    return line;
  };
  const log = (fields: Record<string, unknown>): Record<string, unknown> => {
    const context = currentLogContext();
    return (plain ? undefined : enriched(fields, context)) ?? withContext(context, fields);
  };
  const splitLog: SplitLogFormatter = (fields) => {
    const frame = currentContextFrame();
    const line = plain ? undefined : enriched(fields, frame?.fields);
    if (line !== undefined) return line;
    return frame === undefined ? '' : contextText(frame, fields);
  };
  const formatters: NonNullable<LoggerOptions['formatters']> = {
    bindings: prepare,
    log: Object.assign(log, { [CONTEXT_TEXT_SPLIT]: splitLog }),
  };
  return { formatters, ...levelProbe };
}

const NOTHING = Object.freeze({});

/** The app's serializers as one function over a fields object, or undefined when there are none. */
export function fieldSerializer(
  serializers: Readonly<Record<string, LogSerializer>> | undefined,
): ((fields: Record<string, unknown>) => Record<string, unknown>) | undefined {
  return serializers && Object.keys(serializers).length > 0 ? serializerOf(serializers) : undefined;
}

/**
 * Applies the app's serializers to the fields they name, copying only when one applies. A
 * serializer that throws leaves a note in place of the value: the line is still logged.
 */
function serializerOf(serializers: Readonly<Record<string, LogSerializer>>): (fields: Record<string, unknown>) => Record<string, unknown> {
  const names = Object.keys(serializers);
  return (fields) => {
    let copy: Record<string, unknown> | undefined;
    try {
      for (const name of names) {
        if (!Object.hasOwn(fields, name)) continue;
        const value = fields[name];
        if (value === undefined) continue;
        let serialized: unknown;
        try {
          serialized = (serializers[name] as LogSerializer)(value);
        } catch (error) {
          serialized = `[serializer ${name} threw: ${error instanceof Error ? error.message : String(error)}]`;
        }
        // Descriptors, not values: a throwing getter elsewhere in the fields is the sanitizer's to mark.
        copy ??= Object.defineProperties({}, Object.getOwnPropertyDescriptors(fields)) as Record<string, unknown>;
        Object.defineProperty(copy, name, { value: serialized, enumerable: true, writable: true, configurable: true });
      }
    } catch {
      // Hostile fields (a Proxy whose traps throw): the sanitizer logs what it can read.
      return fields;
    }
    return copy ?? fields;
  };
}

/** What a root built from `config` adds to lines: only what this process uses. */
export function lineEnrichment(config: Config, sanitize: Sanitizer, isSecretKey: KeyMatcher): LineEnrichment {
  const enrichment: LineEnrichment = { serializers: config.serializers };
  const activeTrace = loadActiveTraceReader();
  if (activeTrace) enrichment.activeTrace = activeTrace;
  if (xrayApplies()) enrichment.xrayTraceId = () => currentXrayTraceId();
  if (config.bugsnag) enrichment.requestTab = { minLevel: LEVELS[config.bugsnag.level], read: requestTabReader(sanitize, isSecretKey) };
  return enrichment;
}
