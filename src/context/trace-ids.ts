// OpenTelemetry trace correlation. `@opentelemetry/api` is an optional peer: it is looked up
// once, when the root logger is built, with a guarded require; when it is absent nothing is
// imported and lines pay nothing. The field names are the ones @opentelemetry/instrumentation-pino
// writes, so log backends that already join pino lines to traces join these too.

/** The ids a line carries while a span is active. */
export interface TraceFields {
  trace_id: string;
  span_id: string;
  /** Two hex digits, as in a W3C traceparent (`01` when sampled). */
  trace_flags: string;
}

/** Reads the active span's ids, or undefined outside a span. */
export type ActiveTraceReader = () => TraceFields | undefined;

// The few parts of @opentelemetry/api used here, so its types are not part of logferry's.
interface SpanContextLike {
  traceId: string;
  spanId: string;
  traceFlags: number;
}
interface OtelApiLike {
  context: { active(): unknown };
  trace: { getSpan(context: unknown): { spanContext(): SpanContextLike } | undefined };
  isSpanContextValid(spanContext: SpanContextLike): boolean;
}

function isOtelApi(value: unknown): value is OtelApiLike {
  const api = value as Partial<OtelApiLike> | undefined;
  return (
    typeof api?.context?.active === 'function' && typeof api.trace?.getSpan === 'function' && typeof api.isSpanContextValid === 'function'
  );
}

// The name is held in a variable so bundlers (esbuild, webpack) do not try to resolve the
// optional peer at build time, which fails the app's build when it is not installed; at run
// time this is Node's own require, from this file's place in node_modules.
const OTEL_API_MODULE = '@opentelemetry/api';

function requireOtelApi(): unknown {
  return require(OTEL_API_MODULE);
}

/** A reader of the active span's ids, or undefined when `@opentelemetry/api` is not installed. */
export function loadActiveTraceReader(load: () => unknown = requireOtelApi): ActiveTraceReader | undefined {
  let api: unknown;
  try {
    api = load();
  } catch {
    return undefined;
  }
  if (!isOtelApi(api)) return undefined;
  return traceReader(api);
}

function traceReader(api: OtelApiLike): ActiveTraceReader {
  // One span's context object is read by every line logged inside it: format it once.
  let lastContext: SpanContextLike | undefined;
  let lastFields: TraceFields | undefined;
  return () => {
    const spanContext = api.trace.getSpan(api.context.active())?.spanContext();
    if (spanContext === undefined) return undefined;
    if (spanContext === lastContext) return lastFields;
    lastContext = spanContext;
    lastFields = api.isSpanContextValid(spanContext)
      ? {
          trace_id: spanContext.traceId,
          span_id: spanContext.spanId,
          trace_flags: (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0'),
        }
      : undefined;
    return lastFields;
  };
}
