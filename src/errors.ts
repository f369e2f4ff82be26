/** Bad configuration: names the variable (or option), the value given and what is accepted. */
export class LogferryConfigError extends Error {
  readonly code = 'LOGFERRY_CONFIG';
  readonly variable: string;

  constructor(variable: string, value: unknown, accepted: string) {
    super(`logferry: ${variable}=${describeConfigValue(value)} is not valid: ${accepted}`);
    this.name = 'LogferryConfigError';
    this.variable = variable;
  }
}

/** JSON where it is faithful; NaN, Infinity, undefined and functions as themselves (JSON would say null or nothing). */
function describeConfigValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
