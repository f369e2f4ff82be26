import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { logferryPlugin } from '../src/integrations/esbuild.js';
import { bugsnagEnv } from './support/bugsnag-env.js';
import { LocalBugsnag } from './support/bugsnag-receiver.js';
import { cloudWatchEnv, printedFlush } from './support/cloudwatch-env.js';
import { LocalCloudWatchLogs } from './support/cloudwatch-server.js';
import { jsonLines, runFixture } from './support/run-fixture.js';

// An app that imports logferry by its package name, bundled with the real esbuild API, copied
// to a folder that holds the build output and nothing else (no node_modules in it or above
// it), and run there in a child process against the local CloudWatch server and Bugsnag
// receiver.

const projectRoot = join(__dirname, '..', '..');
let workspace: string;
let cloudwatch: LocalCloudWatchLogs;
let bugsnag: LocalBugsnag;

const APP_BODY = `
const log = createLogger('bundled-app');
log.debug('below the console level');
log.info({ format: FORMAT }, 'plain line from the bundle');
transactionalLogger.info({ orderId: 'order-' + FORMAT }, 'order placed in the bundle');
log.error({ err: new TypeError('bundled failure ' + FORMAT) }, 'the bundle reports an error');
`;
const FLUSH = `process.stderr.write('flush=' + JSON.stringify(result) + '\\n');`;
const SOURCES: Record<'cjs' | 'esm', string> = {
  esm: `import { createLogger, transactionalLogger, flushLogs } from 'logferry';
const FORMAT = 'esm';${APP_BODY}const result = await flushLogs(Number(process.env.FLUSH_TIMEOUT_MS ?? 10000));
${FLUSH}`,
  cjs: `const { createLogger, transactionalLogger, flushLogs } = require('logferry');
const FORMAT = 'cjs';${APP_BODY}flushLogs(Number(process.env.FLUSH_TIMEOUT_MS ?? 10000)).then((result) => { ${FLUSH} });`,
};

// A Lambda function's handler file; the runner beside it plays the Lambda runtime, and is
// killed the moment the invocation resolves, as a frozen environment that never thaws.
const LAMBDA_HANDLER = `import { withLambdaLogging } from 'logferry/lambda';
import { createLogger } from 'logferry';
const log = createLogger('bundled-lambda');
export const handler = withLambdaLogging(async (event) => {
  for (let i = 0; i < 20; i++) log.info({ i }, 'bundled handler line');
  return { ok: event.n };
});
`;
const LAMBDA_RUNNER = `import { handler } from './handler.mjs';
const result = await handler({ n: 1 }, { awsRequestId: 'bundled-req-1', functionName: 'bundled', functionVersion: '7', getRemainingTimeInMillis: () => 10000 });
process.stderr.write('result=' + JSON.stringify(result) + '\\n');
process.kill(process.pid, 'SIGKILL');
`;

/** Bundles the app and copies only the output to a fresh folder; returns that folder. */
async function bundle(format: 'cjs' | 'esm', withPlugin: boolean, entry = 'app', banner?: string): Promise<string> {
  const source = join(workspace, 'project', `${entry}-${format}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  const outdir = mkdtempSync(join(workspace, 'out-'));
  const outfile = join(outdir, format === 'esm' ? `${entry}.mjs` : `${entry}.js`);
  // esbuild's defaults for Node are CommonJS; the ES-module build names its format.
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    ...(format === 'esm' ? { format } : {}),
    outfile,
    logLevel: 'silent',
    ...(banner === undefined ? {} : { banner: { js: banner } }),
    plugins: withPlugin ? [logferryPlugin()] : [],
  });
  assert.deepEqual(result.errors, []);
  const runDir = mkdtempSync(join(tmpdir(), 'logferry-bundle-run-'));
  cpSync(outdir, runDir, { recursive: true });
  return runDir;
}

function hasNodeModulesAbove(folder: string): boolean {
  for (let at = folder; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) return true;
    if (dirname(at) === at) return false;
  }
}

function env(group: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...bugsnagEnv(bugsnag),
    ...cloudWatchEnv(cloudwatch, group),
    LOG_LEVEL: 'debug',
    LOG_LEVEL_CONSOLE: 'info',
    ...extra,
  };
}

describe('an app bundled by esbuild, run from a folder holding only the build output', { concurrency: true }, () => {
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'logferry-bundle-'));
    // The app's project: its sources, and logferry installed by name (a link to this checkout).
    mkdirSync(join(workspace, 'project', 'node_modules'), { recursive: true });
    symlinkSync(projectRoot, join(workspace, 'project', 'node_modules', 'logferry'), 'dir');
    writeFileSync(join(workspace, 'project', 'app-esm.mjs'), SOURCES.esm);
    writeFileSync(join(workspace, 'project', 'app-cjs.cjs'), SOURCES.cjs);
    writeFileSync(join(workspace, 'project', 'handler-esm.mjs'), LAMBDA_HANDLER);
    cloudwatch = await new LocalCloudWatchLogs().start();
    bugsnag = await new LocalBugsnag().start();
  });
  after(async () => {
    await cloudwatch.stop();
    await bugsnag.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  for (const format of ['cjs', 'esm'] as const) {
    it(`${format === 'cjs' ? 'CommonJS output (esbuild --bundle --platform=node)' : 'ES-module output'} ships to stdout, CloudWatch and Bugsnag`, async () => {
      const runDir = await bundle(format, true);
      try {
        assert.deepEqual(readdirSync(runDir).sort(), [format === 'esm' ? 'app.mjs' : 'app.js', 'logferry-worker.cjs']);
        assert.equal(hasNodeModulesAbove(runDir), false, `a node_modules folder is visible from ${runDir}`);
        const group = `/bundle/${format}`;
        const run = await runFixture(join(runDir, format === 'esm' ? 'app.mjs' : 'app.js'), { env: env(group), cwd: runDir });
        assert.equal(run.code, 0, run.stderr);
        const flush = printedFlush(run.stderr);
        assert.equal(flush.delivered, true, run.stderr);
        assert.deepEqual(Object.keys(flush.sinks).sort(), ['bugsnag', 'cloudwatch', 'stdout']);

        const stdout = jsonLines(run.stdout);
        assert.deepEqual(
          stdout.map((line) => line.msg),
          ['plain line from the bundle', 'order placed in the bundle', 'the bundle reports an error'],
        );
        assert.deepEqual(
          cloudwatch.messages(group).map((line) => [line.msg, line.orderId]),
          [['order placed in the bundle', `order-${format}`]],
        );
        const event = bugsnag.events.find((candidate) => candidate.exceptions[0]?.message === `bundled failure ${format}`);
        assert.ok(event, `no Bugsnag event for ${format}; received ${bugsnag.events.length}`);
        assert.equal(event.exceptions[0]?.errorClass, 'TypeError');
        assert.deepEqual(bugsnag.problems, []);
      } finally {
        rmSync(runDir, { recursive: true, force: true });
      }
    });
  }

  it("ES-module output with esbuild's usual createRequire banner starts and ships to stdout and CloudWatch", async () => {
    // The banner ESM bundles of CommonJS packages commonly carry; the plugin's own import must not collide with it.
    const banner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
    const runDir = await bundle('esm', true, 'app', banner);
    try {
      assert.ok(readFileSync(join(runDir, 'app.mjs'), 'utf8').startsWith(`${banner}\n`));
      const group = '/bundle/esm-banner';
      const run = await runFixture(join(runDir, 'app.mjs'), { env: env(group), cwd: runDir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(printedFlush(run.stderr).delivered, true, run.stderr);
      assert.deepEqual(
        jsonLines(run.stdout).map((line) => line.msg),
        ['plain line from the bundle', 'order placed in the bundle', 'the bundle reports an error'],
      );
      assert.deepEqual(
        cloudwatch.messages(group).map((line) => line.orderId),
        ['order-esm'],
      );
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('a bundle built without the plugin logs to stdout from the app thread, says once what is missing, and exits at once', async () => {
    const runDir = await bundle('cjs', false);
    try {
      assert.deepEqual(readdirSync(runDir), ['app.js']);
      // An exit that waited on a worker that never started would run into the child's 30 s kill.
      const run = await runFixture(join(runDir, 'app.js'), {
        env: env('/bundle/no-plugin', { LOG_EXIT_TIMEOUT_MS: '60000' }),
        cwd: runDir,
        timeoutMs: 30_000,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        jsonLines(run.stdout).map((line) => line.msg),
        ['plain line from the bundle', 'order placed in the bundle', 'the bundle reports an error'],
      );
      const notices = run.stderr.split('\n').filter((line) => line.startsWith('logferry:'));
      assert.equal(notices.length, 1, run.stderr);
      assert.match(notices[0] ?? '', /log worker is missing .*logferryPlugin\(\) from 'logferry\/esbuild'.*stdout from the app's thread/);
      // No worker sink is active: a flush waits for stdout alone, written by the app thread.
      const flush = printedFlush(run.stderr);
      assert.equal(flush.delivered, true);
      assert.deepEqual(Object.keys(flush.sinks), ['stdout']);
      assert.equal(flush.sinks.stdout?.settled, true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('a bundle deployed without its worker file names the file, keeps logging to stdout and exits at once', async () => {
    const runDir = await bundle('esm', true);
    try {
      rmSync(join(runDir, 'logferry-worker.cjs'));
      const run = await runFixture(join(runDir, 'app.mjs'), {
        env: env('/bundle/no-worker-file', { LOG_EXIT_TIMEOUT_MS: '60000' }),
        cwd: runDir,
        timeoutMs: 30_000,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(jsonLines(run.stdout).length, 3);
      const notices = run.stderr.split('\n').filter((line) => line.startsWith('logferry:'));
      assert.equal(notices.length, 1, run.stderr);
      assert.ok(notices[0]?.includes(join(runDir, 'logferry-worker.cjs')), run.stderr);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('a worker file whose sinks fail to load (an SDK that needs a newer Node) is reported once and does not crash the app', async () => {
    const runDir = await bundle('cjs', true);
    try {
      // Make the router throw when the worker loads it, as a dependency that cannot run would.
      const workerFile = join(runDir, 'logferry-worker.cjs');
      const code = readFileSync(workerFile, 'utf8');
      const broken = code.replace(
        /("[^"]*dist\/transports\/router\/index\.js"\(\w*\) \{)/,
        "$1 throw new SyntaxError('simulated: needs a newer Node');",
      );
      assert.notEqual(broken, code, 'the router module was not found in the worker file');
      writeFileSync(workerFile, broken);
      const run = await runFixture(join(runDir, 'app.js'), {
        env: env('/bundle/broken-worker', { FLUSH_TIMEOUT_MS: '2000' }),
        cwd: runDir,
        timeoutMs: 30_000,
      });
      assert.equal(run.code, 0, run.stderr);
      const failures = run.stderr.split('\n').filter((line) => line.includes('log worker thread failed'));
      assert.equal(failures.length, 1, run.stderr);
      assert.match(failures[0] ?? '', /simulated: needs a newer Node.*stdout from the app's thread/);
      assert.doesNotMatch(run.stderr, /Emitted 'error' event/);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('a bundled Lambda handler has delivered every line when its invocation resolves, even if the process dies right then', async () => {
    const runDir = await bundle('esm', true, 'handler');
    try {
      writeFileSync(join(runDir, 'run.mjs'), LAMBDA_RUNNER);
      const group = '/bundle/lambda';
      const run = await runFixture(join(runDir, 'run.mjs'), { env: env(group, { CLOUDWATCH_SCOPE: 'all' }), cwd: runDir });
      assert.equal(run.signal, 'SIGKILL', run.stderr);
      assert.match(run.stderr, /result=\{"ok":1\}/);
      const lines = cloudwatch.messages(group);
      assert.deepEqual(
        lines.map((line) => line.i),
        Array.from({ length: 20 }, (_, i) => i),
      );
      for (const line of lines) {
        assert.equal(line.requestId, 'bundled-req-1');
        assert.equal(line.functionVersion, '7');
        assert.equal(line.coldStart, true);
      }
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('the worker file goes beside every entry point, and into outputFiles when the build does not write', async () => {
    mkdirSync(join(workspace, 'project', 'jobs'), { recursive: true });
    writeFileSync(join(workspace, 'project', 'jobs', 'nightly.cjs'), SOURCES.cjs);
    const outdir = join(workspace, 'unwritten');
    const result = await build({
      entryPoints: [join(workspace, 'project', 'app-cjs.cjs'), join(workspace, 'project', 'jobs', 'nightly.cjs')],
      outbase: join(workspace, 'project'),
      outdir,
      bundle: true,
      platform: 'node',
      write: false,
      logLevel: 'silent',
      plugins: [logferryPlugin()],
    });
    const paths = result.outputFiles.map((file) => file.path).sort();
    assert.deepEqual(paths, [
      join(outdir, 'app-cjs.js'),
      join(outdir, 'jobs', 'logferry-worker.cjs'),
      join(outdir, 'jobs', 'nightly.js'),
      join(outdir, 'logferry-worker.cjs'),
    ]);
    assert.equal(existsSync(outdir), false, 'a build with write: false wrote files');
    for (const file of result.outputFiles) {
      if (file.path.endsWith('.js'))
        assert.match(file.text, /globalThis\.__logferryWorkerFile \?\?= require\("node:path"\)\.join\(__dirname/);
      else assert.ok(file.contents.length > 100_000 && file.text.includes('thread-stream'), file.path);
    }
  });
});
