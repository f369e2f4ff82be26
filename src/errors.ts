import { describeSettingValue } from './redact-text.js';

/**
 * Bad configuration: names the variable (or option), the value given and what is accepted.
 * A secret setting's value shows only a prefix and its length, whatever its type, and a URL
 * shows without its userinfo or secret query parameters.
 */
export class LogferryConfigError extends Error {
  readonly code = 'LOGFERRY_CONFIG';
  readonly variable: string;

  constructor(variable: string, value: unknown, accepted: string) {
    super(`logferry: ${variable}=${describeSettingValue(variable, value)} is not valid: ${accepted}`);
    this.name = 'LogferryConfigError';
    this.variable = variable;
  }
}
