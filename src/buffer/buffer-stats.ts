import { existingRootState } from '../root/state.js';
import { type StatField, statIndex } from '../wire/protocol.js';

// logStats() counts held, written and discarded lines in every active sink's row: they are
// counted on the app's thread, before any sink sees them, as the spool's own counters are.

type BufferStat = Extract<StatField, 'bufferHeld' | 'bufferWritten' | 'bufferDiscarded'>;

/** Adds `count` to `field` of every active sink. */
export function countBuffered(field: BufferStat, count: number): void {
  const root = existingRootState();
  const shared = root?.shared;
  if (root === undefined || shared === undefined || count === 0) return;
  for (const sink of root.sinks) {
    const slot = statIndex(sink, field);
    shared.stats[slot] = (shared.stats[slot] ?? 0) + count;
  }
}
