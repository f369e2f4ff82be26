import type { ResourceLimits } from 'node:worker_threads';
import ThreadStream from 'thread-stream';
import type { WorkerStream } from './transport-stream.js';

// The log worker, started with thread-stream directly rather than through pino.transport(), for
// one option pino does not pass on: the size of the shared buffer lines cross in. The worker
// decodes everything the buffer holds into one string; at thread-stream's default of 4 MiB those
// strings land in V8's large-object space, which only a full collection frees, and under a burst
// they held many times the lines in flight (docs/performance.md#memory). What pino.transport() does around the
// stream, logferry does here: end the worker at exit, and never re-run a preload in it.

/** Bytes of the buffer shared with the worker: under V8's large-object size, above one 64 KiB hand-over. */
const WORKER_BUFFER_BYTES = 96 * 1024;

/** How the log worker is started. */
export interface WorkerStreamOptions {
  /** The module thread-stream's worker loop loads: logferry's router (or a bundle's worker file). */
  target: string;
  /** Passed to the target's default export, structured-cloned. */
  workerData: object;
  resourceLimits: ResourceLimits;
  /** The Worker's name, as it shows in a debugger and in heap snapshots. */
  name: string;
  /**
   * Given the function that hands the worker what is left and ends it, runs it at exit once
   * logferry has waited for deliveries (src/lifecycle/exit.ts runs it after every 'exit' listener).
   */
  endAtExit: (end: () => void) => void;
  /** Called once the worker has started and reads lines: until then, a synchronous end() or flushSync() waits for its start. */
  onReady: () => void;
}

/** What thread-stream's typings leave out: its ref counting and its state. */
type ThreadStreamControls = ThreadStream & {
  ref(): void;
  unref(): void;
  readonly closed: boolean;
  readonly destroyed: boolean;
};

/** Starts the worker thread; it is unref'd once ready, and ended when the process exits. */
export function startWorkerStream(options: WorkerStreamOptions): WorkerStream {
  const stream = new ThreadStream({
    filename: options.target,
    workerData: options.workerData,
    bufferSize: WORKER_BUFFER_BYTES,
    workerOpts: {
      name: options.name,
      resourceLimits: options.resourceLimits,
      // A `node --import x` preload runs again in every worker; if x starts logging, each
      // worker would start another. While preloading (no main module yet), the worker gets none.
      ...(preloading() ? { execArgv: [] } : {}),
    },
  }) as ThreadStreamControls;
  options.endAtExit(endNow(stream));
  // Until it is ready the worker keeps the process alive, so lines logged at start-up are not
  // lost to an exit that comes before the worker could take them.
  stream.once('ready', () => {
    stream.unref();
    options.onReady();
  });
  return stream as unknown as WorkerStream;
}

/**
 * Hands over what is left and ends the worker: its sinks get their close, and the thread is not
 * cut off mid-write. Run at exit after logferry's own wait for deliveries; a no-op once closed.
 */
function endNow(stream: ThreadStreamControls): () => void {
  return () => {
    if (stream.closed || stream.destroyed) return;
    try {
      stream.ref();
      stream.flushSync();
      stream.end();
    } catch {
      // A worker that died or stopped reading: logferry's wait has already said what was left.
    }
  };
}

/** Whether this runs inside a preload: Node was given one, and there is no main module yet. */
function preloading(): boolean {
  // An ES-module bundle has no `require`, and no way to tell: its worker keeps the flags.
  return typeof require === 'function' && require.main === undefined && hasPreloadFlag(process.execArgv);
}

/** Whether Node was started with a module to preload (`--import`, `--require`, `-r`). */
export function hasPreloadFlag(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => /^(--import|--require|-r)(=|$)/.test(arg));
}
