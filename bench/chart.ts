import type { Summary } from './stats.js';

/** A horizontal bar chart (median bars, min–max whiskers) as standalone SVG. */
export function barChartSvg(title: string, unit: string, rows: Array<{ label: string; summary: Summary }>): string {
  const width = 760;
  const rowHeight = 34;
  const left = 190;
  const right = 110;
  const top = 44;
  const height = top + rows.length * rowHeight + 30;
  const scaleMax = Math.max(...rows.map((row) => (Number.isFinite(row.summary.max) ? row.summary.max : 0)), 1);
  const x = (value: number) => left + ((width - left - right) * value) / scaleMax;
  const bars = rows
    .map((row, index) => {
      const y = top + index * rowHeight;
      const { median, min, max } = row.summary;
      if (!Number.isFinite(median)) return `<text x="${left}" y="${y + 18}" font-size="12">n/a</text>`;
      const colour = row.label === 'logferry' ? '#2f7d4f' : '#7a8794';
      return [
        `<text x="${left - 8}" y="${y + 18}" font-size="13" text-anchor="end">${row.label}</text>`,
        `<rect x="${left}" y="${y + 6}" width="${Math.max(1, x(median) - left)}" height="18" fill="${colour}"/>`,
        `<line x1="${x(min)}" x2="${x(max)}" y1="${y + 15}" y2="${y + 15}" stroke="#222" stroke-width="1.5"/>`,
        `<text x="${x(max) + 6}" y="${y + 19}" font-size="12">${median.toFixed(median < 10 ? 2 : 0)} ${unit}</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<title>${title}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="26" font-size="16" font-weight="bold">${title}</text>
${bars}
<text x="16" y="${height - 8}" font-size="11" fill="#555">bars: median of the rounds; whiskers: min–max. Lower is better.</text>
</svg>
`;
}
