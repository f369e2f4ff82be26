import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

// The package as users get it: packed, installed into a fresh project, used from there.
const projectRoot = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let consumer: string;

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed package in a fresh project', () => {
  before(() => {
    consumer = mkdtempSync(join(tmpdir(), 'logferry-consumer-'));
    const packed = JSON.parse(sh(npm, ['pack', '--json', '--pack-destination', consumer], projectRoot)) as Array<{ filename: string }>;
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    sh(
      npm,
      [
        'install',
        '--no-audit',
        '--no-fund',
        join(consumer, packed[0]?.filename ?? ''),
        `typescript@${typescriptVersion()}`,
        '@types/node@20',
      ],
      consumer,
    );
  });
  after(() => rmSync(consumer, { recursive: true, force: true }));

  it('ships compiled code and types only, no sources or tests', () => {
    const files = JSON.parse(sh(npm, ['pack', '--dry-run', '--json'], projectRoot))[0].files.map(
      (file: { path: string }) => file.path,
    ) as string[];
    assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts') && files.includes('esm/index.mjs'));
    for (const sink of ['stdout', 'cloudwatch', 'bugsnag']) assert.ok(files.includes(`dist/transports/${sink}/index.js`), sink);
    assert.ok(
      !files.some(
        (file) =>
          file.startsWith('dist/test/') ||
          file.startsWith('src/') ||
          (file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.d.mts')),
      ),
    );
  });

  it('import and require both work, and share one root', () => {
    writeFileSync(
      join(consumer, 'both.mjs'),
      `import { createRequire } from 'node:module';
       import * as esm from 'logferry';
       const cjs = createRequire(import.meta.url)('logferry');
       console.log(typeof esm.createLogger, typeof cjs.createLogger, esm.transactionalLogger === cjs.transactionalLogger);`,
    );
    assert.equal(sh('node', ['both.mjs'], consumer).trim(), 'function function true');
  });

  it('logferry/lambda and logferry/esbuild load by import and by require, with the same exports', () => {
    writeFileSync(
      join(consumer, 'platform-entries.mjs'),
      `import { createRequire } from 'node:module';
       import * as lambda from 'logferry/lambda';
       import * as esbuild from 'logferry/esbuild';
       const require = createRequire(import.meta.url);
       // Node 23+ also names the whole module.exports of a CommonJS module in its namespace.
       const names = (entry) => Object.keys(entry).filter((name) => !['default', '__esModule', 'module.exports'].includes(name)).sort().join(',');
       console.log(names(lambda), names(require('logferry/lambda')), names(esbuild), names(require('logferry/esbuild')));
       console.log(typeof lambda.withLambdaLogging, typeof esbuild.logferryPlugin().setup);`,
    );
    assert.deepEqual(sh('node', ['platform-entries.mjs'], consumer).trim().split('\n'), [
      'withLambdaLogging withLambdaLogging logferryPlugin logferryPlugin',
      'function function',
    ]);
  });

  it('logferry/http and logferry/fastify load by import and require, without either framework installed, and only when asked for', () => {
    writeFileSync(
      join(consumer, 'entries.mjs'),
      `import { createRequire } from 'node:module';
       import { requestLogging, errorLogging } from 'logferry/http';
       import logferryFastify from 'logferry/fastify';
       const require = createRequire(import.meta.url);
       const http = require('logferry/http');
       const fastify = require('logferry/fastify');
       console.log(typeof requestLogging, typeof errorLogging, typeof logferryFastify, http.requestLogging === requestLogging,
         fastify.default === logferryFastify, logferryFastify[Symbol.for('skip-override')], logferryFastify[Symbol.for('fastify.display-name')]);`,
    );
    assert.equal(sh('node', ['entries.mjs'], consumer).trim(), 'function function function true true true logferry');
    writeFileSync(
      join(consumer, 'core-only.cjs'),
      `const { createLogger } = require('logferry');
       createLogger('core').info('hello');
       const loaded = Object.keys(require.cache);
       console.log(loaded.some((file) => file.includes('integrations')), loaded.some((file) => file.includes('@opentelemetry')));`,
    );
    assert.equal(sh('node', ['core-only.cjs'], consumer, { ...process.env, NODE_ENV: 'test' }).trim(), 'false false');
  });

  it('a TypeScript consumer type-checks against the published declarations (ESM, CommonJS, and node10 resolution on ES2020)', () => {
    const source = `import { createLogger, transactionalLogger, flushLogs, setLogLevel, type FlushResult, type LogferryOptions, configureLogging } from 'logferry';
      import { requestLogging, errorLogging } from 'logferry/http';
      import { logferryPlugin } from 'logferry/esbuild';
      const plugin: { name: string } = logferryPlugin();
      void plugin;
      import logferryFastify from 'logferry/fastify';
      const options: LogferryOptions = { level: 'info', cloudwatch: { logGroupName: '/app/audit', scope: 'transactional' } };
      configureLogging(options);
      const log = createLogger(import.meta.url, { service: 'api' });
      log.info({ organizationId: 'o' }, 'hello');
      transactionalLogger.info({ userEmail: 'a@b.c' }, 'audit');
      const done: Promise<FlushResult> = flushLogs(1000);
      void done;
      import { withLambdaLogging, type LambdaContext } from 'logferry/lambda';
      export const handler = withLambdaLogging(async (event: { id: string }, context: LambdaContext) => ({ id: event.id, by: context.functionName }), { flushMarginMs: 300 });
      const answer: Promise<{ id: string; by: string }> = handler({ id: 'x' }, { awsRequestId: 'r', functionName: 'f', functionVersion: '1', getRemainingTimeInMillis: () => 1000 });
      void answer;
      const previous: string = setLogLevel('info,db=debug');
      void previous;
      const middleware = requestLogging({ getUser: (req) => String(req.headers['x-user']), ignore: (req) => req.url === '/health', levels: { aborted: 'warn' } });
      const onError = errorLogging();
      void middleware; void onError; void logferryFastify;`;
    writeFileSync(join(consumer, 'consumer.mts'), source);
    writeFileSync(join(consumer, 'consumer.cts'), source.replace('import.meta.url', '__filename'));
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'Node16', moduleResolution: 'Node16', target: 'ES2022', noEmit: true, types: ['node'] },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    // logferry/esbuild's declarations name esbuild's types; an app that uses the plugin has esbuild installed.
    symlinkSync(join(projectRoot, 'node_modules', 'esbuild'), join(consumer, 'node_modules', 'esbuild'), 'dir');
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    sh('node', [tsc, '-p', '.'], consumer);
    // "module": "commonjs" resolves like node10, which ignores `exports`: the subpaths need `typesVersions`.
    // ES2020 with the library check on: the declarations must not name newer globals (WeakRef is ES2021).
    // esModuleInterop as `tsc --init` sets it: pino's own declarations need it under CommonJS.
    writeFileSync(join(consumer, 'consumer-node10.ts'), source.replace('import.meta.url', '__filename'));
    writeFileSync(
      join(consumer, 'tsconfig.node10.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'commonjs',
          target: 'ES2020',
          esModuleInterop: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['consumer-node10.ts'],
      }),
    );
    sh('node', [tsc, '-p', 'tsconfig.node10.json'], consumer);
  });

  it('a production-profile line reaches stdout through workers loaded from the installed copy', () => {
    writeFileSync(
      join(consumer, 'prod.cjs'),
      `require('node:worker_threads');
       const { createLogger } = require('logferry');
       createLogger('installed').info({ from: require.resolve('logferry') }, 'from the installed copy');`,
    );
    const out = sh('node', ['prod.cjs'], consumer, { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' });
    const line = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    assert.equal(line.msg, 'from the installed copy');
    assert.ok(String(line.from).startsWith(join(consumer, 'node_modules', 'logferry')), String(line.from));
  });
});

function typescriptVersion(): string {
  return JSON.parse(readFileSync(join(projectRoot, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
}
