import { join } from 'node:path';
import type { TransportTargetOptions } from 'pino';
import type { Config } from './config.js';
import { redactKeyPatterns } from './redact-keys.js';
import type { SinkName, SinkWireOptions } from './wire.js';

// Which worker-thread sinks a Config asks for, as pino transport targets. All of them run
// in one pino.transport({ targets }) call, so one worker thread serves every sink.

/** Compiled transports sit beside this file's compiled directory, in the package and in tests alike. */
export function transportPath(sink: SinkName): string {
  return join(__dirname, '..', 'transports', sink, 'index.js');
}

export interface PlannedTargets {
  targets: TransportTargetOptions[];
  sinks: SinkName[];
}

export function planTargets(config: Config, wire: SinkWireOptions): PlannedTargets {
  const targets: TransportTargetOptions[] = [];
  const sinks: SinkName[] = [];
  if (config.console) {
    sinks.push('stdout');
    targets.push({
      target: transportPath('stdout'),
      level: config.console.level ?? 'trace',
      options: { ...wire, pretty: config.console.pretty, colorize: config.console.colorize },
    });
  }
  if (config.cloudwatch) {
    sinks.push('cloudwatch');
    targets.push({ target: transportPath('cloudwatch'), level: config.cloudwatch.level, options: { ...wire, ...config.cloudwatch } });
  }
  if (config.bugsnag) {
    sinks.push('bugsnag');
    // The Bugsnag sink sees every line: lower levels become breadcrumbs, its own level decides what is reported.
    targets.push({
      target: transportPath('bugsnag'),
      level: 'trace',
      options: { ...wire, ...config.bugsnag, redactKeyPatterns: redactKeyPatterns(config.redactKeys) },
    });
  }
  return { targets, sinks };
}
