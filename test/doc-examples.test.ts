import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';

// The examples users copy: every TypeScript and JavaScript block of the README and of docs/,
// type-checked as an app would, as ES modules under strict nodenext importing this package by
// its own name (its exports map and .d.mts files), with the real Express, Fastify and esbuild
// types. Names an example uses without defining them (the app's own variables) are declared.

const projectRoot = join(__dirname, '..', '..');
let folder: string;

/** [used, defined, declaration]: the declaration is added when an example uses a name it does not define. */
const FREE_NAMES: Array<[RegExp, RegExp, string]> = [
  [/\blog\./, /\bconst log\b/, "declare const log: ReturnType<(typeof import('logferry'))['createLogger']>;"],
  [/\bload\(/, /\bfunction load\b/, 'declare function load(id: string): Promise<{ id: string }>;'],
  [
    /\bhandle\(/,
    /\bfunction handle\b/,
    "declare function handle(req: import('node:http').IncomingMessage, res?: import('node:http').ServerResponse): void;",
  ],
  [
    /\brouteTemplateOf\(/,
    /\bfunction routeTemplateOf\b/,
    "declare function routeTemplateOf(req: import('node:http').IncomingMessage): string | undefined;",
  ],
  [/\bhandler\b/, /\bconst handler\b/, "declare const handler: import('express').RequestHandler;"],
  // The README shows the Express and the Fastify adapter on one `app`.
  [/\bapp\./, /\bconst app\b/, "declare const app: import('express').Express & import('fastify').FastifyInstance;"],
  [/\brequest\b/, /\bconst request\b|\(request\) =>/, "declare const request: import('node:http').IncomingMessage;"],
  [/\bparentPort\b/, /\bparentPort\b.*from/, "declare const parentPort: import('node:worker_threads').MessagePort;"],
  [/\bflushLogs\(/, /\bflushLogs\b.*from/, "import { flushLogs } from 'logferry';"],
  ...['orderId', 'organizationId', 'userEmail', 'requestId', 'userId'].map((name): [RegExp, RegExp, string] => [
    new RegExp(`\\b${name}\\b`),
    new RegExp(`\\bconst ${name}\\b`),
    `declare const ${name}: string;`,
  ]),
];

/** The fenced ts/js blocks of a piece of Markdown. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|js)\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

function withDeclarations(example: string): string {
  const declarations = FREE_NAMES.filter(([used, defined]) => used.test(example) && !defined.test(example)).map(([, , text]) => text);
  return `${example}\n${declarations.join('\n')}\nexport {};\n`;
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

describe('the examples in the README and docs/', () => {
  // Inside the project, so `logferry` resolves to this package by its own name, and its dependencies from node_modules.
  before(() => {
    folder = mkdtempSync(join(projectRoot, 'dist', 'doc-examples-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('every TypeScript and JavaScript block type-checks under strict nodenext', () => {
    const pages = ['README.md', ...readdirSync(join(projectRoot, 'docs')).map((name) => join('docs', name))];
    const files = pages.flatMap((page) =>
      codeBlocks(readFileSync(join(projectRoot, page), 'utf8')).map((block, index) => {
        const file = join(folder, `${page.replace(/[/.]/g, '-')}-${index}.mts`);
        writeFileSync(file, withDeclarations(block));
        return file;
      }),
    );
    // The README's request logging, esbuild and Lambda blocks, integrations.md's and platforms.md's at least.
    assert.ok(files.length >= 10, `found only ${files.length} examples`);
    assert.deepEqual(typeErrors(files), []);
  });

  it('a wrong example is caught: the check is not vacuous', () => {
    const file = join(folder, 'wrong.mts');
    writeFileSync(file, withDeclarations("import { createLogger } from 'logferry';\ncreateLogger(42);\n"));
    assert.equal(typeErrors([file]).length, 1);
  });
});
