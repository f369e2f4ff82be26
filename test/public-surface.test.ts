import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// The public surface is the README's API table: the CommonJS entry, the ES-module entry and
// the type declarations export exactly the names it documents.

const projectRoot = resolve(__dirname, '..', '..');
/** tsc marks every CommonJS build with it; Node's ES-module wrapper re-exports it as a name. */
const INTEROP_MARKER = '__esModule';
/** Node 23 and later add the whole `module.exports` under this name to an imported CommonJS module's namespace. */
const CJS_NAMESPACE_EXPORT = 'module.exports';

/** The names in the first column of the table under the README's `## API` heading. */
function documentedNames(): string[] {
  const lines = readFileSync(join(projectRoot, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^##\s+API\s*$/.test(line));
  assert.ok(start >= 0, 'README.md has an "## API" section');
  const names: string[] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    const firstCell = line.split('|')[1] ?? '';
    if (!inTable) {
      inTable = true; // the header row
      continue;
    }
    if (/^\s*:?-+:?\s*$/.test(firstCell)) continue;
    for (const span of firstCell.matchAll(/`([^`]+)`/g)) {
      const name = /^[A-Za-z_$][\w$]*/.exec(span[1] ?? '')?.[0];
      if (name) names.push(name);
    }
  }
  assert.ok(names.length > 0, 'the API table names at least one export');
  return names.sort();
}

/** What src/index.ts exports, as TypeScript sees it: every name, and those that are values at run time. */
function declaredExports(): { all: string[]; values: string[] } {
  declared ??= readDeclaredExports();
  return declared;
}
let declared: { all: string[]; values: string[] } | undefined;

function readDeclaredExports(): { all: string[]; values: string[] } {
  const entry = join(projectRoot, 'src', 'index.ts');
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, 'src/index.ts is a module');
  const all: string[] = [];
  const values: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    all.push(symbol.name);
    const typeOnly = symbol.declarations?.some((declaration) => ts.isTypeOnlyImportOrExportDeclaration(declaration)) ?? false;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (!typeOnly && target.flags & ts.SymbolFlags.Value) values.push(symbol.name);
  }
  return { all: all.sort(), values: values.sort() };
}

type Condition = string | { default?: string };
type PackageExports = Record<string, { import?: Condition; require?: Condition } | string>;

/** Each package entry (`.`, and any `./http`…) with both an `import` and a `require` target. */
function dualEntries(): Array<{ entry: string; esm: string; cjs: string }> {
  const exportsMap = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { exports: PackageExports }).exports;
  const target = (condition: Condition | undefined): string | undefined => (typeof condition === 'string' ? condition : condition?.default);
  return Object.entries(exportsMap).flatMap(([entry, conditions]) => {
    if (typeof conditions === 'string') return [];
    const esm = target(conditions.import);
    const cjs = target(conditions.require);
    return esm && cjs ? [{ entry, esm: join(projectRoot, esm), cjs: join(projectRoot, cjs) }] : [];
  });
}

describe('the public surface is the README API table', () => {
  it('the ES-module and CommonJS targets of every package entry export the same names', async () => {
    const entries = dualEntries();
    assert.ok(
      entries.some(({ entry }) => entry === '.'),
      'package.json exports "." with import and require',
    );
    for (const { entry, esm, cjs } of entries) {
      const required = require(cjs) as object;
      const imported = (await import(esm)) as object;
      // tsc's __esModule marker is a non-enumerable property on the CommonJS side; the ESM entries
      // list their names, so neither it nor Node's `module.exports` name may show in their namespace.
      const names = (keys: string[]) => keys.filter((name) => name !== INTEROP_MARKER && name !== CJS_NAMESPACE_EXPORT).sort();
      assert.deepEqual(Object.keys(imported).sort(), names(Object.getOwnPropertyNames(required)), entry);
    }
  });

  it('the run-time exports are exactly the documented values', () => {
    const cjs = require(join(projectRoot, 'dist', 'src', 'index.js')) as object;
    const runtime = Object.getOwnPropertyNames(cjs)
      .filter((name) => name !== INTEROP_MARKER)
      .sort();
    const documented = new Set(documentedNames());
    assert.deepEqual(
      runtime.filter((name) => !documented.has(name)),
      [],
      'exported at run time but not in the README API table',
    );
    assert.deepEqual(runtime, declaredExports().values);
  });

  it('`import * as logferry` holds exactly the documented values, with no __esModule', async () => {
    const namespace = (await import(join(projectRoot, 'esm', 'index.mjs'))) as object;
    assert.deepEqual(Object.keys(namespace).sort(), declaredExports().values);
  });

  it('every export, values and types, is in the README API table, and nothing else is', () => {
    assert.deepEqual(documentedNames(), declaredExports().all);
  });

  it('every option type of configureLogging is exported', () => {
    const declared = new Set(declaredExports().all);
    const options = readFileSync(join(projectRoot, 'src', 'options.ts'), 'utf8');
    const optionTypes = [...options.matchAll(/^export (?:interface|type) (\w+)/gm)].map((match) => match[1] ?? '');
    assert.ok(optionTypes.includes('LogferryOptions'));
    assert.deepEqual(
      optionTypes.filter((name) => !declared.has(name)),
      [],
    );
  });
});
