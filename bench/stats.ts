/** Median with its spread, for tables that show how steady a figure is. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, runs: sorted.length };
}

export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Raw figures: scenario → contender → metric → one value per round, in round order. */
export type Results = Record<string, Record<string, Record<string, number[]>>>;
/** What results.json keeps: scenario → contender → metric → summary. */
export type Summaries = Record<string, Record<string, Record<string, Summary>>>;

/** The contender every peer is set against, round by round. */
export const REFERENCE = 'logferry';
/** Suffix of a metric that holds a contender's figure divided by logferry's in the same round. */
export const PER_REFERENCE = 'PerLogferry';

/**
 * Per-metric summaries, plus each peer's figure divided by logferry's in the same round
 * (contenders alternate within a round, so a round's pair shares the machine's state; the
 * spread of those ratios says more than a ratio of two medians). Rounds that failed for either
 * side leave the arrays unaligned: no ratio then.
 */
export function summarizeAll(results: Results): Summaries {
  const out: Summaries = {};
  for (const [scenario, byContender] of Object.entries(results)) {
    const summaries: Record<string, Record<string, Summary>> = {};
    const reference = byContender[REFERENCE];
    for (const [contender, metrics] of Object.entries(byContender)) {
      const summary: Record<string, Summary> = {};
      for (const [metric, values] of Object.entries(metrics)) {
        summary[metric] = summarize(values);
        const base = reference?.[metric];
        const aligned = base !== undefined && base.length === values.length && !metrics.failedRuns && !reference?.failedRuns;
        if (contender !== REFERENCE && aligned) {
          summary[`${metric}${PER_REFERENCE}`] = summarize(values.map((value, round) => value / (base[round] as number)));
        }
      }
      summaries[contender] = summary;
    }
    out[scenario] = summaries;
  }
  return out;
}
