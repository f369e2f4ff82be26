import { LogferryConfigError } from '../errors.js';
import type { LogferryOptions, LogSerializer } from '../options.js';

// The pino options logferry passes through (`base`, `serializers`), checked at start-up.

/** `base` and `serializers` from the options, validated. */
export function resolvePassThrough(options: LogferryOptions): {
  base: Record<string, unknown> | null | undefined;
  serializers: Record<string, LogSerializer>;
} {
  const { base, serializers = {} } = options;
  if (base !== undefined && base !== null && (typeof base !== 'object' || Array.isArray(base))) {
    throw new LogferryConfigError('base', base, "give an object of fields for every line, e.g. { service: 'api' }, or null");
  }
  if (typeof serializers !== 'object' || serializers === null || Array.isArray(serializers)) {
    throw new LogferryConfigError('serializers', serializers, 'give an object of functions by field name, e.g. { user: (u) => u.id }');
  }
  for (const [name, serializer] of Object.entries(serializers)) {
    if (typeof serializer !== 'function') {
      throw new LogferryConfigError(`serializers.${name}`, typeof serializer, 'give a function (value) => what to log');
    }
  }
  return { base, serializers: { ...serializers } };
}
