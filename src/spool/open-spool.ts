import type { Config } from '../config/load-config.js';
import type { TransportStream } from '../handover/transport-stream.js';
import { handleSignals } from '../lifecycle/signal-registry.js';
import type { RootState } from '../root/state.js';
import { LEVELS, type SharedState } from '../wire/protocol.js';
import type { SpoolWire } from '../wire/sink-options.js';
import { spoolBeforeHandOver } from './spool-before-handover.js';
import { SpoolWriter } from './spool-writer.js';

/** The spool as the root logger uses it. */
export interface OpenSpool {
  wire: SpoolWire;
  /** The worker's stream with the spool in front of it. */
  inFrontOf(stream: TransportStream): TransportStream;
  /** Removes the spool at an orderly end by signal once CloudWatch has accepted all of it. */
  removeWhenSignalFlushed(root: RootState): void;
}

/** The signals logferry flushes on (src/lifecycle/exit.ts); they end the process without 'exit'. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** Opens this process's spool when the Config asks for one (CloudWatch on, a spool dir set); throws LogferryConfigError when the dir is unusable. */
export function openSpool(config: Config, shared: SharedState): OpenSpool | undefined {
  if (!config.spool || !config.cloudwatch) return undefined;
  const writer = new SpoolWriter(config.spool, shared);
  const minLevel = LEVELS[config.cloudwatch.level];
  const transactionalOnly = config.cloudwatch.scope === 'transactional';
  return {
    wire: writer.wire,
    inFrontOf: (stream) => spoolBeforeHandOver(stream, writer, minLevel, transactionalOnly),
    removeWhenSignalFlushed: (root) => {
      if (!config.handleSignals) return;
      // A signal ends the process without 'exit', where the worker removes a delivered spool. This
      // finisher comes after logferry's own (added first), whose blocking flush covers the lines
      // logged up to the end: only then is "all accepted" true of every line, and nothing is left
      // on disk for the next process to send again.
      handleSignals(SIGNALS, async () => undefined, {
        startBy: () => Number.POSITIVE_INFINITY,
        finish: () => {
          if (root.stream) writer.removeIfAllAccepted();
        },
      });
    },
  };
}
