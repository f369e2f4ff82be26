// Several copies of logferry can live in one process (two installed versions, a bundle and a
// package). Each used to ask "has the app its own handler?" by counting listeners, saw the
// other copy's listener, and stepped aside: the signal was swallowed and the process never
// ended. Copies now meet in one process-wide registry (Symbol.for, so every copy finds the same
// one): one listener per signal for all of them, which flushes every copy, then re-raises the
// signal once. Its shape is a contract between versions: change it only under a new symbol.

const REGISTRY = Symbol.for('logferry.signalHandling.v1');

/** Flushes one copy's logging for `signal`; resolves when done or out of time. */
export type SignalFlusher = (signal: NodeJS.Signals) => Promise<void>;

interface SignalRegistry {
  /** Every copy's flusher; all run on a signal the app does not handle itself. */
  readonly flushers: Set<SignalFlusher>;
  /** The one listener per signal (whichever copy installed it first). */
  readonly listeners: Map<string, (signal: NodeJS.Signals) => void>;
}

function registry(): SignalRegistry {
  const holder = process as unknown as Record<symbol, SignalRegistry | undefined>;
  holder[REGISTRY] ??= { flushers: new Set(), listeners: new Map() };
  return holder[REGISTRY];
}

/** Adds this copy's flusher, and a listener for each of `signals` that no copy listens to yet. */
export function handleSignals(signals: readonly NodeJS.Signals[], flusher: SignalFlusher): void {
  const shared = registry();
  shared.flushers.add(flusher);
  for (const signal of signals) if (!shared.listeners.has(signal)) installListener(shared, signal);
}

/**
 * Whether a listener for `signal` belongs to the app rather than to logferry or to an observer.
 * signal-exit (used by execa, write-file-atomic, proper-lockfile, ora…) listens to every signal
 * only to run its callbacks, and re-raises only when it is the last listener: counting it as the
 * app's handler made both step aside and swallowed the signal. Its listeners are private
 * closures, so they are recognised the way signal-exit counts itself: by the number of loaded
 * copies it keeps in its process-wide emitters (v4 on globalThis, v3 on process).
 */
function appHandles(shared: SignalRegistry, signal: NodeJS.Signals): boolean {
  const ours = new Set<unknown>(shared.listeners.values());
  const others = process.listeners(signal).filter((listener) => !ours.has(listener)).length;
  return others > signalExitObservers();
}

/** How many loaded copies of signal-exit each hold one listener per signal. */
function signalExitObservers(): number {
  const v4 = (globalThis as Record<symbol, unknown>)[Symbol.for('signal-exit emitter')];
  const v3 = (process as unknown as Record<string, unknown>).__signal_exit_emitter__;
  return loadedCount(v4) + loadedCount(v3);
}

function loadedCount(emitter: unknown): number {
  const count = typeof emitter === 'object' && emitter !== null ? (emitter as { count?: unknown }).count : undefined;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 0;
}

function installListener(shared: SignalRegistry, signal: NodeJS.Signals): void {
  let flushing = false;
  const listener = (): void => {
    // The app has a handler of its own: it decides when to exit, and 'exit' will flush then.
    if (appHandles(shared, signal)) return;
    // A second signal while flushing: the operator insists, end now.
    if (flushing) {
      reraise();
      return;
    }
    flushing = true;
    void Promise.allSettled([...shared.flushers].map((flush) => flush(signal))).finally(reraise);
  };
  const reraise = (): void => {
    process.removeListener(signal, listener);
    shared.listeners.delete(signal);
    process.kill(process.pid, signal);
  };
  shared.listeners.set(signal, listener);
  process.on(signal, listener);
}
