import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';

// The platform examples users copy: every TypeScript and JavaScript block of docs/platforms.md,
// and the esbuild and Lambda blocks of the README's platforms section, compiled as ES modules
// under strict nodenext against this package's published entry points (by its own name).

const projectRoot = join(__dirname, '..', '..');
let folder: string;

/** The fenced ts/js blocks of a piece of Markdown. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|js)\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

function readmeSection(title: string): string {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.notEqual(start, -1, `README has no "${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Type-checks the files; returns one line per diagnostic. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file
      ? `${diagnostic.file.fileName}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

describe('the platform examples in the docs', () => {
  // Inside the project, so `logferry` resolves to this package by its own name and esbuild from its node_modules.
  before(() => {
    folder = mkdtempSync(join(projectRoot, 'dist', 'doc-examples-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('docs/platforms.md and the README platforms section (esbuild, Lambda) type-check under strict nodenext', () => {
    const platforms = codeBlocks(readFileSync(join(projectRoot, 'docs', 'platforms.md'), 'utf8'));
    const readme = codeBlocks(readmeSection('Frameworks and platforms')).filter((block) => /from 'logferry\/(esbuild|lambda)'/.test(block));
    assert.ok(platforms.length >= 2 && readme.length >= 2, `found ${platforms.length} and ${readme.length} blocks`);
    const files = [...platforms.map((block) => ['platforms', block]), ...readme.map((block) => ['readme', block])].map(
      ([source, block], index) => {
        const file = join(folder, `${source}-${index}.mts`);
        writeFileSync(file, `${block}\nexport {};\n`);
        return file;
      },
    );
    assert.deepEqual(typeErrors(files), []);
  });
});
