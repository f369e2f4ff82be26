// Bugsnag sessions, app side: one per request. Starting one is a single atomic add on a
// counter in shared memory; the Bugsnag sink in the worker reads the counter about once a
// minute and at every flush, and sends the counts as @bugsnag/js does (sessionCounts per
// minute). A flush marker is written after every add before it, so a flush (and exit)
// sees every session started before it.

let counter: Int32Array | undefined;

/** The shared counter the Bugsnag sink reads; created when the sink is planned. */
export function sessionCounterBuffer(): SharedArrayBuffer {
  counter ??= new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  return counter.buffer as SharedArrayBuffer;
}

/** Counts one started session; nothing when the Bugsnag sink is off. */
export function countSessionStarted(): void {
  if (counter !== undefined) Atomics.add(counter, 0, 1);
}

/** Whether sessions are counted (the Bugsnag sink is on). */
export function sessionsTracked(): boolean {
  return counter !== undefined;
}
