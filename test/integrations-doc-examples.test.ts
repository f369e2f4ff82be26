import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// The TypeScript examples of docs/integrations.md and of the README's request-logging part,
// type-checked as an app would: strict, module nodenext, ES modules importing `logferry` by
// name (the package's own exports and .d.mts files, found by self-reference), with the real
// Express and Fastify types. Names an example uses without defining are declared first.

const projectRoot = join(__dirname, '..', '..');

/** Names examples use without defining them, declared only for an example that uses them. */
const FREE_NAMES: Array<[RegExp, RegExp, string]> = [
  [/\blog\./, /\bconst log\b/, "declare const log: ReturnType<(typeof import('logferry'))['createLogger']>;"],
  [/\bload\(/, /\bfunction load\b/, 'declare function load(id: string): Promise<{ id: string }>;'],
  [
    /\bhandle\(/,
    /\bfunction handle\b/,
    "declare function handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void;",
  ],
  [
    /\brouteTemplateOf\(/,
    /\bfunction routeTemplateOf\b/,
    "declare function routeTemplateOf(req: import('node:http').IncomingMessage): string | undefined;",
  ],
  [/\bhandler\b/, /\bconst handler\b/, "declare const handler: import('express').RequestHandler;"],
  // The README shows the Express and the Fastify adapter on one `app`.
  [/\bapp\./, /\bconst app\b/, "declare const app: import('express').Express & import('fastify').FastifyInstance;"],
];

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

function readmeRequestLogging(): string[] {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('**Express, Connect, `node:http` and Fastify 5.**');
  assert.ok(start >= 0, 'the README request-logging part moved: update this test');
  return tsBlocks(readme.slice(start)).slice(0, 1);
}

function withDeclarations(example: string): string {
  const declarations = FREE_NAMES.filter(([used, defined]) => used.test(example) && !defined.test(example)).map(([, , text]) => text);
  // Imports first (a declaration may not precede them in style only; TypeScript accepts either).
  return `${example}\n${declarations.join('\n')}\nexport {};\n`;
}

describe('documentation examples', () => {
  it('every TypeScript example of docs/integrations.md and the README request-logging part compiles under strict nodenext', () => {
    const examples = [
      ...tsBlocks(readFileSync(join(projectRoot, 'docs', 'integrations.md'), 'utf8')).map((code, i) => [`integrations-${i}`, code]),
      ...readmeRequestLogging().map((code, i) => [`readme-request-logging-${i}`, code]),
    ];
    assert.ok(examples.length >= 4, `found only ${examples.length} examples`);
    // Inside the package (under dist/), so `logferry` resolves by self-reference and express, fastify and @types by node_modules.
    const dir = mkdtempSync(join(projectRoot, 'dist', 'integrations-doc-examples-'));
    try {
      const files = examples.map(([name, code]) => {
        writeFileSync(join(dir, `${name}.mts`), withDeclarations(code ?? ''));
        return `${name}.mts`;
      });
      const compilerOptions = {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
      const tsc = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
