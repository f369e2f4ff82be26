import type { Config } from '../config/load-config.js';
import { sessionCounterBuffer } from '../context/session-counter.js';
import { levelValue } from '../levels/level-spec.js';
import { redactKeyPatterns } from '../redact/secret-keys.js';
import { LEVELS, type SinkName, type SinkRoute, type SinkWireOptions } from '../wire/protocol.js';
import type { SpoolWire } from '../wire/sink-options.js';

// Which worker-thread sinks a Config asks for. They all run behind one target in the worker
// (started by worker-stream.ts), the router, which reads each line's level from its first bytes
// and hands it to every sink at or below that level; worker-file.ts finds its code. (pino's own `targets`
// would JSON.parse every line in the worker and split the stream once more per target: see
// docs/benchmarks.md#one-router-instead-of-pinos-targets.)

export interface PlannedSinks {
  routes: SinkRoute[];
  sinks: SinkName[];
}

export function planSinks(config: Config, wire: SinkWireOptions, spool?: SpoolWire): PlannedSinks {
  const routes: SinkRoute[] = [];
  if (config.console) {
    routes.push({
      sink: 'stdout',
      minLevel: levelValue(config.console.level ?? 'trace'),
      options: { ...wire, pretty: config.console.pretty, colorize: config.console.colorize },
    });
  }
  if (config.cloudwatch) {
    routes.push({
      sink: 'cloudwatch',
      minLevel: LEVELS[config.cloudwatch.level],
      options: { ...wire, ...config.cloudwatch, ...(spool ? { spool } : {}) },
    });
  }
  if (config.bugsnag) {
    // The Bugsnag sink sees every line: lower levels become breadcrumbs, its own level decides what is reported.
    routes.push({
      sink: 'bugsnag',
      minLevel: LEVELS.trace,
      options: {
        ...wire,
        ...config.bugsnag,
        redactKeyPatterns: redactKeyPatterns(config.redactKeys),
        sessionCounter: sessionCounterBuffer(),
      },
    });
  }
  return { routes, sinks: routes.map((route) => route.sink) };
}
