import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  BENCHMARKS_DOC,
  benchTablesInDoc,
  benchTablesMarkdown,
  RESULTS_JSON,
  type SavedResults,
  withBenchTables,
} from '../bench/docs-tables.js';
import { scenarioTitle } from '../bench/run.js';

describe('docs/benchmarks.md and bench/results.json', () => {
  it('the tables in docs/benchmarks.md are the ones bench/results.json gives', () => {
    const results = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as SavedResults;
    const inDoc = benchTablesInDoc(readFileSync(BENCHMARKS_DOC, 'utf8'));
    assert.ok(inDoc !== undefined, 'docs/benchmarks.md has the bench table markers');
    assert.equal(
      inDoc,
      benchTablesMarkdown(results, scenarioTitle).trim(),
      'docs/benchmarks.md is out of date: run `npm run build && node dist/bench/run.js --tables-only`',
    );
  });

  it('rewriting the tables replaces only what is between the markers', () => {
    const doc = readFileSync(BENCHMARKS_DOC, 'utf8');
    const rewritten = withBenchTables(doc, '| a | b |\n|---|---|');
    assert.equal(benchTablesInDoc(rewritten), '| a | b |\n|---|---|');
    const [before, after] = [doc.split('<!-- bench tables')[0], doc.split('<!-- end of bench tables -->')[1]];
    assert.ok(before !== undefined && rewritten.startsWith(before));
    assert.ok(after !== undefined && rewritten.endsWith(after));
    assert.throws(() => withBenchTables('no markers here', 'x'), /lacks the bench table markers/);
  });
});
