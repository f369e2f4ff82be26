import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { TransportStream } from '../handover/transport-stream.js';
import type { SharedState, SinkName } from '../wire/protocol.js';

// The one root of the process, as every part that flushes, ends or counts it sees it. It is
// built by src/loggers/build-root.ts; kept apart from the builder so that flush, exit and the
// spool can reach it without depending on how it is built.

export interface RootState {
  readonly config: Config;
  logger: Logger;
  /** Undefined when nothing is logged at all (the test profile's default). */
  stream: TransportStream | undefined;
  readonly shared: SharedState | undefined;
  /** The active sinks; only stdout once the app's thread writes it (no worker, or a worker that failed). */
  sinks: SinkName[];
  nextFlushId: number;
  closed: boolean;
  /** Resolves once the log worker has started; undefined when there is none (or it failed and the app's thread writes stdout). */
  workerReady?: Promise<void>;
}

let current: RootState | undefined;
let closedBeforeStart = false;

/** The root, once something has built it; undefined before the first logger. */
export function existingRootState(): RootState | undefined {
  return current;
}

/** Records the root the builder made; called once per process. */
export function setRootState(root: RootState): void {
  current = root;
}

/** closeLogs() came before the first logger: the root, when built, logs nothing. */
export function closeBeforeStart(): void {
  closedBeforeStart = true;
}

/** Whether closeLogs() came before the first logger. */
export function wasClosedBeforeStart(): boolean {
  return closedBeforeStart;
}
