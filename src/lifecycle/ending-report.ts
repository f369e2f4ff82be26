import type { FlushResult } from './flush.js';

// What an ending (exit, a signal, closeLogs) left undelivered, said on stderr by the app's
// thread. The worker's own notices travel to the app's thread as messages and are lost when the
// process ends first, so these lines are built from the shared counters instead, every time.

/** Which ending, as the lines say it: `exit`, `SIGTERM`, `closeLogs()`. */
export type Ending = string;

/**
 * The lines for `flush`, the last flush of an ending that waited at most `budgetMs`; `spoolOn`
 * when CloudWatch writes its lines to a spool, which keeps what it did not deliver on disk.
 */
export function endingReport(flush: FlushResult, ending: Ending, budgetMs: number, spoolOn = false): string[] {
  const lines: string[] = [];
  const sinks = Object.entries(flush.sinks);
  // possibleDuplicates counts both resends after an unanswered request and lines recovered from
  // a spool that may have been stored before the process died: the wording covers both.
  const duplicates = sinks
    .filter(([, sink]) => sink.possibleDuplicates > 0)
    .map(([name, sink]) => `${name} may hold ${sink.possibleDuplicates} ${sink.possibleDuplicates === 1 ? 'line' : 'lines'} twice`);
  if (duplicates.length > 0) {
    lines.push(`logferry: possible duplicates: ${duplicates.join(', ')} (resent after no answer, or recovered from a spool)`);
  }
  if (flush.timedOut) {
    const waiting = sinks
      .filter(([, sink]) => !sink.settled)
      .map(([name, sink]) => `${name} (${sink.pending} pending, ${sink.dropped} dropped)`)
      .join(', ');
    const wait =
      ending === 'closeLogs()'
        ? `closeLogs() wait ran out after ${budgetMs} ms`
        : `exit wait ran out after ${budgetMs} ms (LOG_EXIT_TIMEOUT_MS)${ending === 'exit' ? '' : ` on ${ending}`}`;
    const kept = flush.sinks.cloudwatch;
    const onDisk = spoolOn && kept && !kept.settled && kept.pending > 0 ? ` ${staysOnDisk(kept.pending, kept.unspooled)}` : '';
    lines.push(`logferry: ${wait}; not delivered: ${waiting}${onDisk}`);
  }
  const lost = sinks
    .filter(([, sink]) => sink.dropped + sink.rejected > 0)
    .map(
      ([name, sink]) =>
        `${name} ${sink.dropped} dropped, ${sink.rejected} refused${sink.lastError ? ` (last error: ${sink.lastError})` : ''}`,
    );
  if (lost.length > 0) {
    lines.push(`logferry: lines not delivered since start, counted in logStats() (at ${ending}): ${lost.join('; ')}`);
  }
  return lines;
}

/**
 * With a spool, a pending CloudWatch line is on disk unless the spool could not write it
 * (`unspooled`, counted since start): the next process on LOG_SPOOL_DIR sends it, so it is not lost.
 */
function staysOnDisk(pending: number, unspooled: number): string {
  const notOnDisk = Math.min(pending, unspooled);
  const onDisk = pending - notOnDisk;
  const kept = `${notOnDisk > 0 ? 'at least ' : ''}${onDisk} of cloudwatch's pending lines stay in the spool for the next process on LOG_SPOOL_DIR`;
  return notOnDisk > 0 ? `(${kept}; up to ${notOnDisk} could not be written to it and are lost)` : `(${kept})`;
}

/** Writes the ending's lines on stderr. */
export function reportEnding(flush: FlushResult, ending: Ending, budgetMs: number, spoolOn = false): void {
  const lines = endingReport(flush, ending, budgetMs, spoolOn);
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
}
