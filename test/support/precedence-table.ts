import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The precedence table of docs/operations.md ("Where each setting comes from"), read as rows, so
// tests can hold the code to it: each option's variable, default and range.

export interface PrecedenceRow {
  /** The option path (`cloudwatch.flushIntervalMs`), or undefined for a variable with no option. */
  option: string | undefined;
  /** The variable that gives it, or undefined when only code does. */
  variable: string | undefined;
  /** The default cell as written, backticks kept. */
  defaultCell: string;
  rangeCell: string;
}

const projectRoot = resolve(__dirname, '..', '..', '..');
const HEADING = '## Where each setting comes from';

/** A cell's one code span, when it is nothing else (`` `warn` `` → warn). */
export function onlyCode(cell: string): string | undefined {
  return /^`([^`]+)`$/.exec(cell.trim())?.[1];
}

export function precedenceRows(): PrecedenceRow[] {
  const text = readFileSync(join(projectRoot, 'docs', 'operations.md'), 'utf8');
  const start = text.indexOf(HEADING);
  if (start < 0) throw new Error(`docs/operations.md has no "${HEADING}" section`);
  const section = text.slice(start + HEADING.length).split('\n## ')[0] ?? '';
  const rows: PrecedenceRow[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| option ') || line.startsWith('|---')) continue;
    const cells = line
      .slice(2, -2)
      .split(' | ')
      .map((cell) => cell.trim());
    if (cells.length !== 4) throw new Error(`a precedence row needs 4 cells: ${line}`);
    const [option, variable, defaultCell, rangeCell] = cells as [string, string, string, string];
    rows.push({
      option: option === '—' ? undefined : onlyCode(option),
      // "`NODE_ENV` picks it" names its variable first; "— (the SDK reads …)" names none.
      variable: variable.startsWith('`') ? /^`([A-Z0-9_]+)`/.exec(variable)?.[1] : undefined,
      defaultCell,
      rangeCell,
    });
  }
  return rows;
}
