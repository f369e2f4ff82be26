import type { SinkReporter } from '../../src/wire/sink-reporter.js';

// What a CloudWatch sender says and counts as it closes at the exit deadline: the lines it did not
// send (lost, or kept in the spool for the next process), and the copies that a request the
// deadline cut off may have stored.

/** The lines left unsent at close, and what the spool keeps of them. */
export interface UnsentAtClose {
  /** Lines queued, in the next batch or in the batch in flight. */
  unsent: number;
  /** Without the spool: undefined. With it: how many of `unsent` have their copy on disk, and how many wait on disk besides. */
  spool?: { queuedOnDisk: number; waiting: number };
}

/**
 * Counts as dropped, and says, the unsent lines only memory held; says how many stay in the
 * spool for the next process on the directory, which sends them (they are not dropped).
 */
export function reportUnsentAtClose(reporter: SinkReporter, { unsent, spool }: UnsentAtClose): void {
  const onDisk = Math.min(unsent, spool?.queuedOnDisk ?? 0);
  const kept = spool ? onDisk + spool.waiting : 0;
  const lost = unsent - onDisk;
  reporter.add('dropped', lost);
  const bound = reporter.endingBound?.() ?? 'LOG_EXIT_TIMEOUT_MS';
  if (lost > 0) process.stderr.write(`logferry: CloudWatch: ${lost} lines were not delivered before the exit deadline (${bound})\n`);
  if (kept > 0) {
    process.stderr.write(
      `logferry: CloudWatch: ${kept} lines were not delivered before the exit deadline (${bound}); they stay in the spool for the next process on LOG_SPOOL_DIR\n`,
    );
  }
}

/** Attempts at the piece the exit deadline cut off that may have stored it, and its events. */
export interface CutOffAttempts {
  unanswered: number;
  events: number;
}

/**
 * Attempts the exit deadline cut off may have stored their piece. With the spool, the state file
 * already says so (`copies`) and the process that adopts the spool counts them when it sends the
 * lines again: counted here, they would be missed whenever the process ends before the worker's
 * close is reported. Without it, one of the copies may be the only one: the others are counted.
 */
export function countCutOffCopies(reporter: SinkReporter, { unanswered, events }: CutOffAttempts, spooled: boolean): void {
  if (spooled || unanswered < 2) return;
  const copies = (unanswered - 1) * events;
  reporter.add('possibleDuplicates', copies);
  reporter.reportOnce(
    'possible-duplicates-cut-off',
    `logferry: CloudWatch: requests cut off at the exit deadline may have been stored, so the log stream may hold ${copies} lines twice (counted in logStats().cloudwatch.possibleDuplicates)`,
  );
}
