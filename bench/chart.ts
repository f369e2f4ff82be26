import type { Summary } from './stats.js';

export interface ChartPanel {
  title: string;
  unit: string;
  rows: Array<{ label: string; summary: Summary }>;
}

const WIDTH = 760;
const ROW_HEIGHT = 34;
const LEFT = 190;
const RIGHT = 110;
const PANEL_TITLE_HEIGHT = 40;

/** Horizontal bar charts (median bars, min–max whiskers), one panel under another, as standalone SVG. */
export function barChartSvg(title: string, panels: ChartPanel[]): string {
  let y = 20;
  const parts: string[] = [];
  for (const panel of panels) {
    parts.push(panelSvg(panel, y));
    y += PANEL_TITLE_HEIGHT + panel.rows.length * ROW_HEIGHT + 10;
  }
  const height = y + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif">
<title>${title}</title>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
<text x="16" y="${height - 8}" font-size="11" fill="#555">bars: median of the rounds; whiskers: min–max. Lower is better.</text>
</svg>
`;
}

function panelSvg(panel: ChartPanel, top: number): string {
  // Each panel has its own scale: the two calls differ in cost, and each is read against its own peers.
  const scaleMax = Math.max(...panel.rows.map((row) => (Number.isFinite(row.summary.max) ? row.summary.max : 0)), 1);
  const x = (value: number) => LEFT + ((WIDTH - LEFT - RIGHT) * value) / scaleMax;
  const bars = panel.rows.map((row, index) => {
    const y = top + PANEL_TITLE_HEIGHT + index * ROW_HEIGHT - 14;
    const label = `<text x="${LEFT - 8}" y="${y + 18}" font-size="13" text-anchor="end">${row.label}</text>`;
    const { median, min, max } = row.summary;
    if (!Number.isFinite(median)) return `${label}<text x="${LEFT}" y="${y + 18}" font-size="12">n/a</text>`;
    const colour = row.label === 'logferry' ? '#2f7d4f' : '#7a8794';
    return [
      label,
      `<rect x="${LEFT}" y="${y + 6}" width="${Math.max(1, x(median) - LEFT)}" height="18" fill="${colour}"/>`,
      `<line x1="${x(min)}" x2="${x(max)}" y1="${y + 15}" y2="${y + 15}" stroke="#222" stroke-width="1.5"/>`,
      `<text x="${x(max) + 6}" y="${y + 19}" font-size="12">${median.toFixed(median < 10 ? 2 : 0)} ${panel.unit}</text>`,
    ].join('');
  });
  return `<text x="16" y="${top + 10}" font-size="15" font-weight="bold">${panel.title}</text>\n${bars.join('\n')}`;
}
