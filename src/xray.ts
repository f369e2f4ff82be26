// AWS X-Ray's trace header, as Lambda puts it in _X_AMZN_TRACE_ID:
// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1`.

const ROOT_FIELD = /(?:^|;)\s*Root=([^;\s]+)/;

/** The trace id (the `Root` field) of an X-Ray trace header, or undefined when the header has none. */
export function xrayRootTraceId(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return ROOT_FIELD.exec(header)?.[1];
}
