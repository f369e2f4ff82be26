import type { SinkName, SinkRoute } from '../../src/wire/protocol.js';
import { type BugsnagSinkOptions, createBugsnagSink } from '../bugsnag/index.js';
import { type CloudWatchSinkOptions, createCloudWatchSink } from '../cloudwatch/index.js';
import { type LineHandlers, lineTransport } from '../shared/line-source.js';
import { createStdoutSink, type StdoutSinkOptions } from '../stdout/index.js';
import { routeLines } from './route.js';

// The one pino transport target of the log worker. Each line is split once and its level read
// from its first bytes, then handed to every sink whose level it reaches, by a plain call.
// pino's `targets` would JSON.parse every line here and split it again per target; this keeps
// the worker fast enough that a busy app does not queue lines on its own thread.

/** Options the app's thread sends the router. */
export interface RouterOptions {
  routes: SinkRoute[];
}

// Options arrive as structured-clone data; src/handover/sink-plan.ts builds each sink's from its Config.
const SINK_BUILDERS: Record<SinkName, (options: SinkRoute['options']) => LineHandlers> = {
  stdout: (options) => createStdoutSink(options as unknown as StdoutSinkOptions),
  cloudwatch: (options) => createCloudWatchSink(options as unknown as CloudWatchSinkOptions),
  bugsnag: (options) => createBugsnagSink(options as unknown as BugsnagSinkOptions),
};

/** The pino transport entry the app's thread starts (src/handover/sink-plan.ts names its path). */
export default function routerTransport(options: RouterOptions) {
  return lineTransport(
    routeLines(options.routes.map((route) => ({ minLevel: route.minLevel, handlers: SINK_BUILDERS[route.sink](route.options) }))),
  );
}
