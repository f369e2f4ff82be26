// Several copies of logferry can live in one process (two installed versions, a bundle and a
// package). Each used to ask "has the app its own handler?" by counting listeners, saw the
// other copy's listener, and stepped aside: the signal was swallowed and the process never
// ended. Copies now meet in one process-wide registry (Symbol.for, so every copy finds the same
// one): one listener per signal for all of them, which flushes every copy, then re-raises the
// signal once. Its shape is a contract between versions: change it only under a new symbol.
// Fields may be added when they are optional: a registry made by an older copy lacks them until
// a newer copy adds them, and an older copy's listener ignores them.

const REGISTRY = Symbol.for('logferry.signalHandling.v1');

/** Flushes one copy's logging for `signal`; resolves when done or out of time. */
export type SignalFlusher = (signal: NodeJS.Signals) => Promise<void>;

/**
 * One copy's last word on a signal, run synchronously just before the signal is raised again:
 * nothing can be logged between it and the end of the process, so it covers every line.
 */
export interface SignalFinisher {
  /** Epoch ms by which the finisher must start, at the latest, for a signal that came at `signalAt`. */
  startBy(signalAt: number): number;
  /** Blocks until this copy's lines are settled or its bound has passed, and says what is left. */
  finish(signal: NodeJS.Signals): void;
}

interface SignalRegistry {
  /** Every copy's flusher; all run on a signal the app does not handle itself. */
  readonly flushers: Set<SignalFlusher>;
  /** The one listener per signal (whichever copy installed it first). */
  readonly listeners: Map<string, (signal: NodeJS.Signals) => void>;
  /** Added later, so optional: run after the flushers, right before the signal is raised again. */
  finishers?: Set<SignalFinisher>;
}

function registry(): SignalRegistry {
  const holder = process as unknown as Record<symbol, SignalRegistry | undefined>;
  holder[REGISTRY] ??= { flushers: new Set(), listeners: new Map() };
  return holder[REGISTRY];
}

/**
 * Adds this copy's flusher (and finisher), and a listener for each of `signals` that no copy
 * listens to yet. The flushers run while the app goes on; the finishers then run synchronously
 * and the signal is raised again in the same turn, so a line logged while the flushers waited
 * is still covered by the finishers.
 */
export function handleSignals(signals: readonly NodeJS.Signals[], flusher: SignalFlusher, finisher?: SignalFinisher): void {
  const shared = registry();
  shared.flushers.add(flusher);
  if (finisher) {
    shared.finishers ??= new Set();
    shared.finishers.add(finisher);
  }
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

/** Marks a listener that runs the finishers: one installed by a copy older than them does not. */
const RUNS_FINISHERS = Symbol.for('logferry.signalHandling.v1.runsFinishers');

/**
 * Whether the listener for `signal` runs the finishers. When a copy older than them installed
 * it, a copy's flusher is its last word on the signal, as before finishers existed.
 */
export function finishersWillRun(signal: NodeJS.Signals): boolean {
  const listener = registry().listeners.get(signal) as unknown as Record<symbol, unknown> | undefined;
  return listener?.[RUNS_FINISHERS] === true;
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
    const signalAt = Date.now();
    const flushed = Promise.allSettled([...shared.flushers].map((flush) => flush(signal)));
    void untilStartBy(flushed, shared.finishers, signalAt).then(() => {
      finishAll(shared.finishers, signal);
      reraise();
    });
  };
  const reraise = (): void => {
    process.removeListener(signal, listener);
    shared.listeners.delete(signal);
    process.kill(process.pid, signal);
  };
  (listener as unknown as Record<symbol, unknown>)[RUNS_FINISHERS] = true;
  shared.listeners.set(signal, listener);
  process.on(signal, listener);
}

/**
 * Resolves when the flushers are done, or when the first finisher must start: a flusher that
 * waits out its whole bound (an endpoint that hangs) would leave the finishers no time to take
 * the lines logged meanwhile, and so no time to count them.
 */
function untilStartBy(flushed: Promise<unknown>, finishers: Set<SignalFinisher> | undefined, signalAt: number): Promise<void> {
  const starts = [...(finishers ?? [])].map((finisher) => finisher.startBy(signalAt));
  if (starts.length === 0) return flushed.then(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const due = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, Math.min(...starts) - Date.now()));
  });
  return Promise.race([flushed.then(() => undefined), due]).finally(() => clearTimeout(timer));
}

/** Runs every finisher; one that throws does not keep the others or the signal from their turn. */
function finishAll(finishers: Set<SignalFinisher> | undefined, signal: NodeJS.Signals): void {
  for (const finisher of finishers ?? []) {
    try {
      finisher.finish(signal);
    } catch {
      // The process ends by the signal regardless.
    }
  }
}
