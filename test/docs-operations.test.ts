import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { STAT_FIELDS } from '../src/wire/protocol.js';

// docs/operations.md promises every line logferry prints and every counter it keeps. These
// checks keep the promise as the code grows: a new message or counter fails here until a docs
// page (operations.md, or the page of the feature that added it) says what it means.

const projectRoot = resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const docs = readdirSync(join(projectRoot, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => readFileSync(join(projectRoot, 'docs', name), 'utf8'))
  .join('\n');

/**
 * The fixed start of each `logferry: …` message in the code: up to its first interpolation,
 * parenthesis or semicolon, where a docs page writes a placeholder or cuts the line short.
 */
function messageStarts(): Array<{ file: string; start: string }> {
  const found: Array<{ file: string; start: string }> = [];
  for (const file of [...sourceFiles('src'), ...sourceFiles('transports')]) {
    const text = readFileSync(join(projectRoot, file), 'utf8');
    for (const match of text.matchAll(/[`'"](logferry: [^`'"]*)/g)) {
      const start = (match[1] ?? '').split(/\$\{|\(|;/)[0]?.trimEnd() ?? '';
      // A message that starts with an interpolation (`logferry: ${variable}=…`) has no fixed start to look for.
      if (/^logferry: \w/.test(start)) found.push({ file, start });
    }
  }
  return found;
}

describe('docs/ covers what logferry prints and counts', () => {
  it('finds the messages to look for', () => {
    assert.ok(messageStarts().length >= 10, JSON.stringify(messageStarts()));
  });

  it('every logferry: message in src/ and transports/ is in a docs page', () => {
    const missing = messageStarts()
      .filter(({ start }) => !docs.includes(start))
      .map(({ file, start }) => `${file}: "${start}…"`);
    assert.deepEqual(missing, [], 'add these lines, with what to do about them, to docs/operations.md or the feature page');
  });

  it('every logStats() counter has a row in docs/operations.md', () => {
    const operations = readFileSync(join(projectRoot, 'docs', 'operations.md'), 'utf8');
    const missing = [...STAT_FIELDS, 'lastError'].filter((field) => !operations.includes(`| \`${field}\` |`));
    assert.deepEqual(missing, []);
  });
});
