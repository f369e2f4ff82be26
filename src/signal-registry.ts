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

function installListener(shared: SignalRegistry, signal: NodeJS.Signals): void {
  let flushing = false;
  const listener = (): void => {
    // The app has a handler of its own: it decides when to exit, and 'exit' will flush then.
    const ours = new Set<unknown>(shared.listeners.values());
    if (process.listeners(signal).some((other) => !ours.has(other))) return;
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
