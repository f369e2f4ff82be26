import { currentLogContext } from './log-context.js';

// AWS X-Ray: Lambda (and the X-Ray SDK) put the current trace in `_X_AMZN_TRACE_ID` as
// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`. Lines carry
// its Root as `xrayTraceId` so a log search leads to the trace. Lambda changes the variable
// per invocation: withLambdaLogging reads it as each starts; outside one it is read per line,
// the parse cached while it stays the same.

/** The field every line carries when an X-Ray trace header is set. */
export const XRAY_TRACE_ID_FIELD = 'xrayTraceId';

const ROOT = /(?:^|;)\s*Root=([^;\s]+)/;

/** The `Root=` value of an X-Ray trace header, or undefined when the header has none. */
export function xrayRootOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  return ROOT.exec(header)?.[1];
}

let lastHeader: string | undefined;
let lastRoot: string | undefined;

/**
 * The trace id of the current Lambda invocation, read when it started (withLambdaLogging puts it
 * in the log context: concurrent invocations share the variable, which holds the last one's);
 * else the Root of `_X_AMZN_TRACE_ID` as the environment holds it now; else undefined.
 */
export function currentXrayTraceId(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = currentLogContext()?.[XRAY_TRACE_ID_FIELD];
  if (typeof own === 'string') return own;
  const header = env._X_AMZN_TRACE_ID;
  if (header !== lastHeader) {
    lastHeader = header;
    lastRoot = xrayRootOf(header);
  }
  return lastRoot;
}

/**
 * Whether lines should look for an X-Ray trace at all: the variable is set, or the process
 * runs on Lambda, where it appears per invocation. Elsewhere the per-line read costs nothing.
 */
export function xrayApplies(env: NodeJS.ProcessEnv = process.env): boolean {
  return env._X_AMZN_TRACE_ID !== undefined || env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
}
