/** Bad configuration: names the variable (or option), the value given and what is accepted. */
export class LogferryConfigError extends Error {
  readonly code = 'LOGFERRY_CONFIG';
  readonly variable: string;

  constructor(variable: string, value: unknown, accepted: string) {
    super(`logferry: ${variable}=${JSON.stringify(value)} is not valid: ${accepted}`);
    this.name = 'LogferryConfigError';
    this.variable = variable;
  }
}
