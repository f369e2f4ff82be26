import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize, summarizeAll } from '../bench/stats.js';
import { formatTables } from '../bench/tables.js';

describe('bench figures', () => {
  it('a median takes the middle of the finite values, and the mean of the middle two for an even count', () => {
    assert.deepEqual(summarize([5, 1, Number.NaN, 3]), { median: 3, min: 1, max: 5, runs: 3 });
    assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it('a peer is set against logferry round by round, not median against median', () => {
    const summaries = summarizeAll({
      cost: {
        logferry: { infoNs: [100, 200, 400] },
        winston: { infoNs: [500, 1200, 1600] },
      },
    });
    const ratios = summaries.cost?.winston?.infoNsPerLogferry;
    // Rounds: 5×, 6×, 4×. The ratio of the medians would be 1200 / 200 = 6×.
    assert.deepEqual(ratios, { median: 5, min: 4, max: 6, runs: 3 });
    assert.equal(summaries.cost?.logferry?.infoNsPerLogferry, undefined);
  });

  it('rounds that failed on either side leave no per-round ratio', () => {
    const summaries = summarizeAll({
      memory: {
        logferry: { maxRssMiB: [300, 310] },
        serdnam: { maxRssMiB: [500], failedRuns: [1] },
      },
    });
    assert.equal(summaries.memory?.serdnam?.maxRssMiBPerLogferry, undefined);
  });

  it('the printed table gives each column its ratio to raw pino and each peer its ratio to logferry', () => {
    const summaries = summarizeAll({
      cost: {
        pino: { infoNs: [1000, 1000], transactionalNs: [2000, 2000] },
        logferry: { infoNs: [500, 500], transactionalNs: [1000, 1000] },
      },
    });
    const text = formatTables(summaries, () => '1. App-thread cost');
    assert.match(text, /\| logferry \| 500 \(500–500\) \| 1,000 \(1,000–1,000\) \| 0\.50× \| 0\.50× \|/);
    assert.match(text, /\| pino \| 2\.00× \(2\.00–2\.00\) \| 2\.00× \(2\.00–2\.00\) \|/);
  });
});
