import { formatNumber, PER_REFERENCE, REFERENCE, type Summaries, type Summary } from './stats.js';

// The Markdown tables `npm run bench` prints: each scenario's figures with the ratio to raw
// pino, then each peer set against logferry round by round.

/** [metric, column label, decimals] */
type Column = [string, string, number];

const MEMORY_COLUMNS: Column[] = [
  ['maxRssMiB', 'peak RSS MiB', 0],
  ['idleRssMiB', 'idle RSS MiB', 0],
  ['growthMiB', 'peak − idle MiB', 0],
];
const DELAY_COLUMNS: Column[] = [
  ['p50Ms', 'ELD p50 ms', 2],
  ['p99Ms', 'ELD p99 ms', 2],
  ['maxMs', 'ELD max ms', 1],
];

const SHOWN: Record<string, Column[]> = {
  cost: [
    ['infoNs', 'log.info ns/call', 0],
    ['transactionalNs', 'transactional ns/call', 0],
  ],
  paced: DELAY_COLUMNS,
  e2e: [
    ['accepted', 'accepted', 0],
    ['totalMs', 'total ms', 0],
    ['eventsPerSecond', 'events/s', 0],
    ['batchFill', 'batch fill', 2],
    ['afterLastCallMs', 'ms after last call', 0],
    ['p99Ms', 'ELD p99 ms', 2],
  ],
  'e2e-200ms': [
    ['accepted', 'accepted', 0],
    ['afterLastCallMs', 'ms after last call', 0],
    ['batchFill', 'batch fill', 2],
    ['p99Ms', 'ELD p99 ms', 2],
    ['maxMs', 'ELD max ms', 1],
  ],
  burst: [
    ['accepted', 'accepted', 0],
    ['afterLastCallMs', 'ms after last call', 0],
  ],
  errors: [['errorNs', 'log.error ns/call', 0]],
  'errors-paced': DELAY_COLUMNS,
  memory: MEMORY_COLUMNS,
  'memory-3m': MEMORY_COLUMNS,
  cpu: [
    ['cpuNsPerLine', 'total CPU ns/line', 0],
    ['lines', 'lines', 0],
    ['cpuNsPerLinePerPinoWorker', 'total CPU ÷ pino-worker', 2],
    ['appThreadNsPerLine', 'app thread ns/line', 0],
    ['otherThreadsNsPerLine', 'other threads ns/line', 0],
    ['idleCpuMs', 'idle run CPU ms', 0],
    ['accepted', 'accepted by the server', 0],
  ],
  'cpu-errors': [
    ['cpuNsPerLine', 'total CPU ns/error', 0],
    ['idleCpuMs', 'idle run CPU ms', 0],
    ['accepted', 'events at the receiver', 0],
  ],
  http: [
    ['appUsPerRequest', 'app thread µs/request', 1],
    ['cpuUsPerRequest', 'process CPU µs/request', 1],
    ['requestsPerSecond', 'requests/s', 0],
  ],
};

/** Where only some columns are costs worth a ratio to raw pino (the rest: every column). */
const RAW_PINO_RATIOS: Record<string, string[]> = {
  cpu: ['cpuNsPerLine'],
  'cpu-errors': ['cpuNsPerLine'],
  memory: ['maxRssMiB', 'growthMiB'],
  'memory-3m': ['maxRssMiB', 'growthMiB'],
};

/** A ratio column's head: the figure's label without its unit. */
const ratioHead = (label: string): string => ` | ${label.replace(/ (MiB|ms|ns\/\S+|µs\/\S+)$/, '')} × raw pino`;

/** Ratios to logferry only where they answer a question (accepted counts and fill are not costs). */
const COMPARED: Record<string, string[]> = {
  cost: ['infoNs', 'transactionalNs'],
  paced: ['p99Ms'],
  e2e: ['eventsPerSecond', 'afterLastCallMs'],
  'e2e-200ms': ['afterLastCallMs', 'p99Ms'],
  memory: ['maxRssMiB', 'growthMiB'],
  'memory-3m': ['maxRssMiB', 'growthMiB'],
  cpu: ['cpuNsPerLine'],
  'cpu-errors': ['cpuNsPerLine'],
  http: ['appUsPerRequest', 'cpuUsPerRequest'],
};

/**
 * A delivery count next to a CPU figure: a contender whose process ended before its lines
 * reached the server did not pay for shipping them, and must not read as cheap.
 */
function deliveryCell(metrics: Record<string, Summary>): string {
  const accepted = metrics.accepted;
  const lines = metrics.lines?.median ?? Number.NaN;
  if (!accepted) return '— (no network sink)';
  if (accepted.min >= lines) return `all ${formatNumber(lines)}`;
  if (accepted.max === 0) return `**not delivered** (0 of ${formatNumber(lines)})`;
  return `**not delivered**: ${formatNumber(accepted.median)} of ${formatNumber(lines)} (${formatNumber(accepted.min)}–${formatNumber(accepted.max)})`;
}

const cell = (s: Summary | undefined, digits: number, unit = ''): string =>
  s ? `${formatNumber(s.median, digits)}${unit} (${formatNumber(s.min, digits)}–${formatNumber(s.max, digits)})` : 'n/a';

export function formatTables(summaries: Summaries, titleOf: (scenario: string) => string): string {
  let out = '';
  for (const [scenario, byContender] of Object.entries(summaries)) {
    const columns = SHOWN[scenario] ?? [];
    const baseline = byContender.pino;
    const runs = Math.max(...Object.values(byContender).map((metrics) => metrics[columns[0]?.[0] ?? '']?.runs ?? 0));
    const ratioColumns = baseline
      ? columns.filter(([metric]) => !RAW_PINO_RATIOS[scenario] || RAW_PINO_RATIOS[scenario]?.includes(metric))
      : [];
    const ratioHeads = ratioColumns.map(([, label]) => ratioHead(label)).join('');
    out += `\n### ${titleOf(scenario)}\n\n| contender | ${columns.map(([, label]) => `${label} (median of ${runs}, min–max)`).join(' | ')}${ratioHeads} |\n`;
    out += `|---|${columns.map(() => '---').join('|')}${ratioColumns.map(() => '|---').join('')}|\n`;
    for (const [contender, metrics] of Object.entries(byContender)) {
      const cells = columns.map(([metric, , digits]) =>
        metric === 'accepted' && metrics.lines ? deliveryCell(metrics) : cell(metrics[metric], digits),
      );
      const ratios = ratioColumns
        .map(([metric]) => ` | ${formatNumber((metrics[metric]?.median ?? Number.NaN) / (baseline?.[metric]?.median ?? Number.NaN), 2)}×`)
        .join('');
      const firstMetric = columns[0]?.[0] ?? '';
      const failed = metrics.failedRuns?.runs ?? 0;
      const failures = failed > 0 ? ` **no result in ${failed} of ${failed + (metrics[firstMetric]?.runs ?? 0)} runs**` : '';
      out += `| ${contender}${failures} | ${cells.join(' | ')}${ratios} |\n`;
    }
    out += formatAgainstReference(scenario, byContender, columns);
  }
  return out;
}

function formatAgainstReference(scenario: string, byContender: Summaries[string], columns: Column[]): string {
  const compared = columns.filter(([metric]) => COMPARED[scenario]?.includes(metric));
  const peers = Object.entries(byContender).filter(
    ([contender, metrics]) => contender !== REFERENCE && compared.some(([metric]) => metrics[`${metric}${PER_REFERENCE}`]),
  );
  if (compared.length === 0 || peers.length === 0) return '';
  let out = `\nEach peer against ${REFERENCE}, round by round (the peer's figure ÷ ${REFERENCE}'s in the same round; median, min–max):\n\n`;
  out += `| contender | ${compared.map(([, label]) => `${label} ÷ ${REFERENCE}`).join(' | ')} |\n|---|${compared.map(() => '---').join('|')}|\n`;
  for (const [contender, metrics] of peers) {
    out += `| ${contender} | ${compared.map(([metric]) => cell(metrics[`${metric}${PER_REFERENCE}`], 2, '×')).join(' | ')} |\n`;
  }
  return out;
}
