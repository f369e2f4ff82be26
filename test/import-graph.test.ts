import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';

// The layout docs/architecture.md states, held against the code's own imports: folders depend one
// way in the order the doc lists, no import cycle (type-only imports included), a file takes from
// another folder only what that folder's index.ts exports, and the worker reaches src/ only
// through wire/.

const projectRoot = join(__dirname, '..', '..');
const ARCHITECTURE = join(projectRoot, 'docs', 'architecture.md');

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (name.endsWith('.ts')) found.push(path);
  }
  return found;
}

/** Every relative module a file names: static imports and re-exports (type-only too), require() and import(). */
export function importedPaths(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.[^']+)'/gm),
    ...text.matchAll(/^\s*import\s+'(\.[^']+)'/gm),
    ...text.matchAll(/\b(?:require|import)\(\s*'(\.[^']+)'\s*\)/g),
  ].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** The names each static import or re-export of a file takes, and the file it takes them from. */
export function namedImports(file: string, text: string): Array<{ target: string; names: string[] }> {
  return [...text.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s+'(\.[^']+)'/gm)].map((match) => ({
    target: resolve(dirname(file), (match[2] ?? '').replace(/\.js$/, '.ts')),
    names: (match[1] ?? '')
      .split(',')
      .map(
        (name) =>
          name
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0] ?? '',
      )
      .filter((name) => name !== ''),
  }));
}

/** What a folder's index.ts exports: each name, and the file behind the face that holds it. */
function faceExports(indexFile: string): Map<string, string> {
  const exported = new Map<string, string>();
  for (const { target, names } of namedImports(indexFile, readFileSync(indexFile, 'utf8'))) {
    for (const name of names) exported.set(name, target);
  }
  return exported;
}

interface Graph {
  files: string[];
  imports: Map<string, string[]>;
}

function readGraph(): Graph {
  const files = [...sourceFiles(join(projectRoot, 'src')), ...sourceFiles(join(projectRoot, 'transports'))];
  const imports = new Map(files.map((file) => [file, importedPaths(file, readFileSync(file, 'utf8'))]));
  return { files, imports };
}

const repoPath = (file: string): string => relative(projectRoot, file).split(sep).join('/');

/** The unit a file belongs to in the dependency order: `src/<folder>/`, a top-level `src/x.ts`, `transports/<folder>/`. */
function unitOf(file: string): string {
  const parts = repoPath(file).split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : parts.join('/');
}

/** The ranked units of the doc's numbered lists: every `src/…` or `transports/…` path in the head of item N has rank N. */
export function documentedOrder(markdown: string): Map<string, number> {
  const start = markdown.indexOf('## Folders, and the order they depend in');
  assert.ok(start >= 0, 'docs/architecture.md has the section "Folders, and the order they depend in"');
  const section = markdown.slice(start, markdown.indexOf('\n## ', start + 1));
  const ranks = new Map<string, number>();
  for (const line of section.split('\n')) {
    const item = /^(\d+)\. (.*)$/.exec(line);
    if (!item) continue;
    const rank = Number(item[1]);
    // The item's head, before its first ': ', names what is ranked; the rest only describes it.
    const head = (item[2] ?? '').split(': ')[0] ?? '';
    for (const code of head.matchAll(/`((?:src|transports)\/[\w./-]*)`/g)) ranks.set(code[1] ?? '', rank);
  }
  return ranks;
}

/** The import cycles of a graph, each as the files around it (Tarjan's strongly connected components). */
export function cyclesOf(imports: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of imports.get(node) ?? []) {
      if (!imports.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (imports.get(node) ?? []).includes(node)) cycles.push(component);
  };
  for (const node of imports.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe('the import graph is the one docs/architecture.md states', () => {
  const graph = readGraph();
  const order = documentedOrder(readFileSync(ARCHITECTURE, 'utf8'));

  it('the doc ranks every folder and top-level file of src/ and transports/', () => {
    const units = [...new Set(graph.files.map(unitOf))].sort();
    assert.deepEqual(
      units.filter((unit) => !order.has(unit)),
      [],
      'add these to the numbered lists of "Folders, and the order they depend in"',
    );
    assert.deepEqual(
      [...order.keys()].filter((unit) => !units.includes(unit) && !unit.endsWith('/spool/')),
      [],
      'the doc names folders that do not exist',
    );
  });

  it('no import cycle, type-only imports included', () => {
    const cycles = cyclesOf(graph.imports).map((cycle) => cycle.map(repoPath).sort());
    assert.deepEqual(cycles, []);
  });

  it('every import between units goes up the documented order, never down or sideways', () => {
    const against: string[] = [];
    for (const [file, targets] of graph.imports) {
      const from = unitOf(file);
      for (const target of targets) {
        const to = unitOf(target);
        if (to === from || !repoPath(target).startsWith(from.split('/')[0] ?? '')) continue;
        const fromRank = order.get(from) ?? Number.NaN;
        const toRank = order.get(to) ?? Number.NaN;
        if (!(toRank < fromRank)) against.push(`${repoPath(file)} -> ${repoPath(target)} (${from} is ${fromRank}, ${to} is ${toRank})`);
      }
    }
    assert.deepEqual(against, []);
  });

  it("a file reaches into another folder of src/ only for what that folder's index.ts exports, from the file it names", () => {
    const outsideTheFace: string[] = [];
    for (const file of graph.files) {
      if (repoPath(file) === 'src/index.ts') continue;
      for (const { target, names } of namedImports(file, readFileSync(file, 'utf8'))) {
        const to = unitOf(target);
        if (to === unitOf(file) || !to.startsWith('src/') || !to.endsWith('/') || to === 'src/integrations/') continue;
        const face = faceExports(join(projectRoot, to, 'index.ts'));
        for (const name of names) {
          if (face.get(name) !== target) outsideTheFace.push(`${repoPath(file)} takes ${name} from ${repoPath(target)}`);
        }
      }
    }
    assert.deepEqual(outsideTheFace, []);
  });

  it('a worker file imports from src/ only files of src/wire/, and loads nothing of src/ beyond wire/, redact/ and errors.ts', () => {
    const direct: string[] = [];
    for (const [file, targets] of graph.imports) {
      if (!repoPath(file).startsWith('transports/')) continue;
      for (const target of targets) {
        if (repoPath(target).startsWith('src/') && !repoPath(target).startsWith('src/wire/'))
          direct.push(`${repoPath(file)} -> ${repoPath(target)}`);
      }
    }
    assert.deepEqual(direct, []);

    const loaded = new Set<string>();
    const pending = graph.files.filter((file) => repoPath(file).startsWith('transports/'));
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      for (const target of graph.imports.get(file) ?? []) {
        if (loaded.has(target) || !graph.imports.has(target)) continue;
        loaded.add(target);
        pending.push(target);
      }
    }
    const beyond = [...loaded]
      .map(repoPath)
      .filter((path) => path.startsWith('src/') && !/^src\/(?:wire|redact)\//.test(path) && path !== 'src/errors.ts');
    assert.deepEqual(beyond, []);
  });

  it('the checks see a cycle and an import against the order when there is one', () => {
    const a = '/x/src/a.ts';
    const b = '/x/src/b.ts';
    assert.deepEqual(
      cyclesOf(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ).map((cycle) => cycle.sort()),
      [[a, b]],
    );
    assert.deepEqual(
      cyclesOf(
        new Map([
          [a, [b]],
          [b, []],
        ]),
      ),
      [],
    );
    assert.deepEqual(
      importedPaths('/x/src/f.ts', "import type { T } from '../wire/index.js';\nexport { y } from './y.js';\nconst z = require('./z.js');"),
      ['/x/wire/index.ts', '/x/src/y.ts', '/x/src/z.ts'],
    );
    const ranks = documentedOrder(
      '## Folders, and the order they depend in\n\n1. `src/a/`: x\n2. `src/b.ts` and `transports/c/`: y\n\n## Next\n3. `src/late/`',
    );
    assert.deepEqual(
      [...ranks],
      [
        ['src/a/', 1],
        ['src/b.ts', 2],
        ['transports/c/', 2],
      ],
    );
  });
});
