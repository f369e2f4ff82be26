import { lineLevel, readPrefixLevel } from '../../src/wire/line-prefix.js';
import type { LineHandlers } from '../shared/line-source.js';

/** A sink behind the router: lines at `minLevel` and above reach it. */
export interface RoutedSink {
  minLevel: number;
  handlers: LineHandlers;
}

/** A line's level; one that does not start the way pino writes lines is read whole, or taken as info. */
export const levelOf = lineLevel;

/** Each sink's throw is its own: the others still get the line. */
function guarded(sink: RoutedSink, call: (handlers: LineHandlers) => void): void {
  try {
    call(sink.handlers);
  } catch (error) {
    sink.handlers.onError(error);
  }
}

/** One set of handlers that fans each line out, by level, to the sinks given. */
export function routeLines(sinks: RoutedSink[]): LineHandlers {
  return {
    onLine(line, span) {
      // Read once here for every sink (the Bugsnag sink's breadcrumbs, the CloudWatch sink's time).
      const prefixLevel = readPrefixLevel(line);
      const level = prefixLevel >= 0 ? prefixLevel : lineLevel(line);
      // A loop rather than guarded(): no closure per line and sink.
      for (const sink of sinks) {
        if (level < sink.minLevel) continue;
        try {
          sink.handlers.onLine(line, span, prefixLevel);
        } catch (error) {
          sink.handlers.onError(error);
        }
      }
    },
    onFlush(flushId) {
      for (const sink of sinks) guarded(sink, (handlers) => handlers.onFlush(flushId));
    },
    close: async () => {
      // One sink failing to close must not cut the others' deliveries short.
      await Promise.allSettled(sinks.map((sink) => sink.handlers.close()));
    },
    onError: (error) => process.stderr.write(`logferry: log worker router: ${(error as Error).message}\n`),
  };
}
