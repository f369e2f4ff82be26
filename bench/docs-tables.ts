import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summaries } from './stats.js';
import { formatTables } from './tables.js';

// docs/benchmarks.md holds the tables of bench/results.json between two markers, written from
// that file and nothing else, so the page and the figures cannot disagree. `npm run bench`
// rewrites them after each run; `node dist/bench/run.js --tables-only` rewrites them alone.

const projectRoot = join(__dirname, '..', '..');
/** The page the tables are written into. */
export const BENCHMARKS_DOC = join(projectRoot, 'docs', 'benchmarks.md');
/** The figures the tables are written from. */
export const RESULTS_JSON = join(projectRoot, 'bench', 'results.json');

const START = '<!-- bench tables: written from bench/results.json by `npm run bench`; edits between these markers are overwritten -->';
const END = '<!-- end of bench tables -->';

/** What bench/results.json holds. */
export interface SavedResults {
  node: string;
  summaries: Summaries;
}

/** The Markdown written between the markers: the Node version, then every scenario's tables. */
export function benchTablesMarkdown(results: SavedResults, titleOf: (scenario: string) => string): string {
  return `Node ${results.node}. Each cell is the median of the rounds its column names, with the min–max of those rounds.\n${formatTables(results.summaries, titleOf)}`;
}

/** `doc` with the text between its markers replaced by `tables`; throws when the markers are missing. */
export function withBenchTables(doc: string, tables: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${BENCHMARKS_DOC} lacks the bench table markers:\n${START}\n${END}`);
  return `${doc.slice(0, start + START.length)}\n${tables.trim()}\n${doc.slice(end)}`;
}

/** The tables as the page holds them now, between its markers. */
export function benchTablesInDoc(doc: string): string | undefined {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  return start < 0 || end < start ? undefined : doc.slice(start + START.length, end).trim();
}

/** Rewrites the tables in docs/benchmarks.md from bench/results.json. */
export function writeBenchTablesDoc(titleOf: (scenario: string) => string): void {
  const results = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as SavedResults;
  const doc = readFileSync(BENCHMARKS_DOC, 'utf8');
  writeFileSync(BENCHMARKS_DOC, withBenchTables(doc, benchTablesMarkdown(results, titleOf)));
}
