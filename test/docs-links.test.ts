import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { anchorsOf, githubSlug, headingText, isExternal, linksOf } from './support/markdown-links.js';

const projectRoot = resolve(__dirname, '..', '..');

/** The repository's files (tracked, or new and not ignored), relative to its root. */
function repositoryFiles(): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: projectRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return listed.split('\0').filter((file) => file !== '' && existsSync(join(projectRoot, file)));
  } catch {
    // Not a git checkout: walk the tree instead, leaving out what git ignores here.
    const skipped = new Set(['node_modules', 'dist', '.git', '.node24']);
    const walk = (dir: string): string[] =>
      readdirSync(join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
        const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) return skipped.has(entry.name) ? [] : walk(path);
        return [path];
      });
    return walk('');
  }
}

const files = repositoryFiles();
const markdownFiles = files.filter((file) => file.endsWith('.md'));
const anchorCache = new Map<string, Set<string>>();
const anchorsIn = (file: string): Set<string> => {
  let anchors = anchorCache.get(file);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(file, 'utf8'));
    anchorCache.set(file, anchors);
  }
  return anchors;
};

/** Why `target`, written in `fromFile`, does not resolve; undefined when it does. */
function brokenReason(fromFile: string, target: string): string | undefined {
  const hashAt = target.indexOf('#');
  const pathPart = decodeURI(hashAt < 0 ? target : target.slice(0, hashAt));
  const anchor = hashAt < 0 ? undefined : decodeURIComponent(target.slice(hashAt + 1));
  const base = pathPart.startsWith('/') ? projectRoot : dirname(join(projectRoot, fromFile));
  const resolved = pathPart === '' ? join(projectRoot, fromFile) : join(base, pathPart);
  if (relative(projectRoot, resolved).startsWith('..')) return 'points outside the repository';
  if (!existsSync(resolved)) return `${relative(projectRoot, resolved)} does not exist`;
  if (anchor === undefined || anchor === '' || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  return anchorsIn(resolved).has(anchor) ? undefined : `no heading or anchor #${anchor} in ${relative(projectRoot, resolved)}`;
}

describe('cross-references in the documentation', () => {
  it('finds the Markdown files to check', () => {
    assert.ok(markdownFiles.includes('README.md'), markdownFiles.join(', '));
    assert.ok(
      markdownFiles.some((file) => file.startsWith('docs/')),
      markdownFiles.join(', '),
    );
  });

  it('every relative link and #anchor in every Markdown file resolves', () => {
    const broken: string[] = [];
    for (const file of markdownFiles) {
      for (const { target, line } of linksOf(readFileSync(join(projectRoot, file), 'utf8'))) {
        if (target === '' || isExternal(target)) continue;
        const reason = brokenReason(file, target);
        if (reason) broken.push(`${file}:${line}: (${target}) ${reason}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('every docs/….md#anchor named in a code comment resolves', () => {
    const broken: string[] = [];
    const code = files.filter((file) => /\.(ts|mts|mjs|cjs|js)$/.test(file) && !file.startsWith('dist/'));
    for (const file of code) {
      const lines = readFileSync(join(projectRoot, file), 'utf8').split('\n');
      lines.forEach((text, index) => {
        for (const match of text.matchAll(/\bdocs\/[\w./-]+?\.md(?:#[\w-]+)?/g)) {
          const reason = brokenReason('README.md', match[0]);
          if (reason) broken.push(`${file}:${index + 1}: (${match[0]}) ${reason}`);
        }
      });
    }
    assert.deepEqual(broken, []);
  });
});

describe('GitHub heading anchors, as the link check computes them', () => {
  it('lower-cases, drops punctuation and symbols, and turns each space into a hyphen', () => {
    assert.equal(githubSlug('Threads and sinks'), 'threads-and-sinks');
    assert.equal(githubSlug('Flush and exit: nothing lost'), 'flush-and-exit-nothing-lost');
    assert.equal(githubSlug('1. App-thread cost, 200,000 calls'), '1-app-thread-cost-200000-calls');
    assert.equal(githubSlug('Peak RSS (app + worker), endpoint down'), 'peak-rss-app--worker-endpoint-down');
    assert.equal(githubSlug("The app thread's backlog"), 'the-app-threads-backlog');
    assert.equal(githubSlug('Why 5× winston – is out of reach'), 'why-5-winston--is-out-of-reach');
    assert.equal(githubSlug('snake_case stays'), 'snake_case-stays');
    assert.equal(githubSlug('Écrire en français'), 'écrire-en-français');
  });

  it('reads headings as rendered: code spans, links and emphasis become their text', () => {
    assert.equal(githubSlug(headingText('`logStats()` counters')), 'logstats-counters');
    assert.equal(githubSlug(headingText('See [the API](#api) **now**')), 'see-the-api-now');
  });

  it('numbers repeated headings, skips code blocks, and keeps explicit anchors', () => {
    const anchors = anchorsOf(
      ['# Notes', '## Notes', '```', '# Not a heading', '```', '<a id="custom-spot"></a>', '### Notes ##'].join('\n'),
    );
    assert.deepEqual([...anchors].sort(), ['custom-spot', 'notes', 'notes-1', 'notes-2']);
  });

  it('finds inline links, images and reference definitions, but not links shown as code', () => {
    const links = linksOf(
      [
        '[a](guide/a.md#x) and ![chart](bench/results.svg "title")',
        '`[not](a-link.md)`',
        '[ref]: ./b.md',
        '```',
        '[in](code.md)',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(
      links.map((link) => link.target),
      ['guide/a.md#x', 'bench/results.svg', './b.md'],
    );
  });
});
