import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endingReport } from '../src/lifecycle/ending-report.js';
import type { FlushResult, SinkFlushState } from '../src/lifecycle/flush.js';
import { STAT_FIELDS } from '../src/wire/protocol.js';

// The lines the app's thread prints at an ending, from a flush result. Pure: no I/O.
function sink(settled: boolean, counters: Partial<SinkFlushState> = {}): SinkFlushState {
  const stats = Object.fromEntries(STAT_FIELDS.map((field) => [field, 0])) as unknown as SinkFlushState;
  return { ...stats, settled, flushed: settled, droppedSinceLastFlush: 0, ...counters };
}

function flush(sinks: FlushResult['sinks'], timedOut: boolean): FlushResult {
  const settled = Object.values(sinks).every((state) => state?.settled);
  return { delivered: settled, settled, dropped: 0, timedOut, closed: false, elapsedMs: 1, sinks };
}

describe('ending report', () => {
  it('says nothing when everything was delivered', () => {
    assert.deepEqual(endingReport(flush({ stdout: sink(true), bugsnag: sink(true, { delivered: 3 }) }, false), 'exit', 5000), []);
  });

  it('names the wait that ran out, the ending, and each sink still waiting', () => {
    const result = flush({ stdout: sink(true), bugsnag: sink(false, { pending: 4, dropped: 1 }) }, true);
    assert.deepEqual(endingReport(result, 'SIGTERM', 1500), [
      'logferry: exit wait ran out after 1500 ms (LOG_EXIT_TIMEOUT_MS) on SIGTERM; not delivered: bugsnag (4 pending, 1 dropped)',
      'logferry: lines not delivered since start, counted in logStats() (at SIGTERM): bugsnag 1 dropped, 0 refused',
    ]);
    assert.match(endingReport(result, 'exit', 1500)[0] ?? '', /^logferry: exit wait ran out after 1500 ms \(LOG_EXIT_TIMEOUT_MS\); /);
    assert.match(endingReport(result, 'closeLogs()', 200)[0] ?? '', /^logferry: closeLogs\(\) wait ran out after 200 ms; /);
  });

  it('gives possible duplicates and losses since start with the last error, even when the flush settled', () => {
    const result = flush(
      {
        cloudwatch: sink(true, { dropped: 2000, rejected: 3, lastError: 'ResourceNotFoundException' }),
        bugsnag: sink(true, { possibleDuplicates: 2 }),
      },
      false,
    );
    assert.deepEqual(endingReport(result, 'exit', 5000), [
      'logferry: possible duplicates: bugsnag may hold 2 lines twice (resent after no answer, or recovered from a spool)',
      'logferry: lines not delivered since start, counted in logStats() (at exit): cloudwatch 2000 dropped, 3 refused (last error: ResourceNotFoundException)',
    ]);
  });

  it('with the spool on, says how many of the pending CloudWatch lines stay on disk for the next process', () => {
    const result = flush({ cloudwatch: sink(false, { pending: 250, spooled: 250 }) }, true);
    assert.deepEqual(endingReport(result, 'exit', 1000, true), [
      "logferry: exit wait ran out after 1000 ms (LOG_EXIT_TIMEOUT_MS); not delivered: cloudwatch (250 pending, 0 dropped) (250 of cloudwatch's pending lines stay in the spool for the next process on LOG_SPOOL_DIR)",
    ]);
    // Lines the spool could not write are in memory only: those may be lost, and it says so.
    const partly = flush({ cloudwatch: sink(false, { pending: 250, spooled: 240, unspooled: 10 }) }, true);
    assert.deepEqual(endingReport(partly, 'SIGTERM', 1000, true), [
      "logferry: exit wait ran out after 1000 ms (LOG_EXIT_TIMEOUT_MS) on SIGTERM; not delivered: cloudwatch (250 pending, 0 dropped) (at least 240 of cloudwatch's pending lines stay in the spool for the next process on LOG_SPOOL_DIR; up to 10 could not be written to it and are lost)",
    ]);
    // Without the spool, nothing stays.
    assert.doesNotMatch(endingReport(result, 'exit', 1000, false)[0] ?? '', /spool/);
  });
});
