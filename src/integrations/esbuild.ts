import { writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { BuildOptions, BuildResult, OutputFile, Plugin, PluginBuild } from 'esbuild';
import { LogferryBundleError } from '../errors.js';
import { BUNDLED_WORKER_FILE_NAME, BUNDLED_WORKER_GLOBAL } from '../handover/worker-file.js';

// esbuild support. pino starts its worker by file path, and a bundle has no node_modules to
// find it in, so the plugin builds logferry's worker (router, sinks, pino-pretty, the AWS SDK,
// @bugsnag/js and thread-stream's worker loop) into one file written beside each bundle, and
// puts a banner on the bundle that tells logferry where that file is at run time.
// For ES-module output it also turns `require('node:…')` in bundled CommonJS code (pino's and
// any other package's) into Node's own require: esbuild's stand-in for `require` throws
// "Dynamic require … is not supported" in an ES module.

/** The compiled entry of the worker file (transports/bundled-worker.ts). */
const WORKER_ENTRY = join(__dirname, '..', '..', 'transports', 'bundled-worker.js');

const BUILTIN_NAMESPACE = 'logferry-node-builtin';
const NODE_REQUIRE_MODULE = 'logferry-node-require';
// A namespace import under a name of logferry's own: an ES-module bundle often starts with the
// banner `import { createRequire } from 'module'`, and a second top-level `createRequire` would
// stop the bundle at start-up with "Identifier 'createRequire' has already been declared".
const NODE_REQUIRE_SOURCE =
  'import * as __logferryNodeModule from "node:module";\nexport const nodeRequire = __logferryNodeModule.createRequire(import.meta.url);\n';

/**
 * An esbuild plugin for apps that bundle logferry: `plugins: [logferryPlugin()]`. It writes
 * `logferry-worker.cjs` beside every bundle the build writes, which is all the log worker
 * needs at run time (no node_modules), and makes ES-module output (`format: 'esm'`) run on
 * Node. For `platform: 'node'` builds with an `outfile` or `outdir`.
 */
export function logferryPlugin(): Plugin {
  return { name: 'logferry', setup };
}

function setup(build: PluginBuild): void {
  const options = build.initialOptions;
  const problem = unsupported(options, build);
  if (problem !== undefined) {
    build.onStart(() => ({ errors: [{ text: `logferryPlugin(): ${problem}` }] }));
    return;
  }
  const format = options.format ?? 'cjs';
  // After the app's own banner, so a `#!` line there stays first.
  options.banner = { ...options.banner, js: [options.banner?.js, workerFileBanner(format)].filter(Boolean).join('\n') };
  // The output files' folders, to put the worker file beside each bundle.
  options.metafile = true;
  if (format === 'esm') routeBuiltinRequires(build);
  // The worker does not depend on the app's code: built once per plugin use, also in watch mode.
  let worker: Promise<Uint8Array> | undefined;
  build.onEnd(async (result) => {
    if (result.errors.length > 0) return undefined;
    worker ??= buildWorker(build);
    try {
      await writeWorkerFiles(build.initialOptions, result, await worker);
      return undefined;
    } catch (error) {
      worker = undefined;
      return { errors: [{ text: `logferryPlugin(): ${BUNDLED_WORKER_FILE_NAME}: ${(error as Error).message}` }] };
    }
  });
}

function unsupported(options: BuildOptions, build: PluginBuild): string | undefined {
  if (options.platform !== 'node') return "set platform: 'node' (logferry runs on Node.js only)";
  if (options.outfile === undefined && options.outdir === undefined)
    return 'set outfile or outdir: the worker file is written beside the bundle';
  if (build.esbuild === undefined) return 'needs esbuild 0.18 or later';
  return undefined;
}

/** Sets the global src/handover/worker-file.ts reads: the worker file beside this bundle, wherever the bundle runs from. */
function workerFileBanner(format: string): string {
  const name = JSON.stringify(`./${BUNDLED_WORKER_FILE_NAME}`);
  const where = format === 'esm' ? `new URL(${name}, import.meta.url).href` : `require("node:path").join(__dirname, ${name})`;
  return `globalThis.${BUNDLED_WORKER_GLOBAL} ??= ${where};`;
}

function routeBuiltinRequires(build: PluginBuild): void {
  const names = builtinModules.map((name) => name.replace(/[/\\^$.*+?()[\]{}|]/g, '\\$&')).join('|');
  build.onResolve({ filter: new RegExp(`^(node:)?(${names})$`) }, (args) =>
    args.kind === 'require-call' ? { path: args.path, namespace: BUILTIN_NAMESPACE } : undefined,
  );
  build.onResolve({ filter: new RegExp(`^${NODE_REQUIRE_MODULE}$`) }, () => ({ path: NODE_REQUIRE_MODULE, namespace: BUILTIN_NAMESPACE }));
  build.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) =>
    args.path === NODE_REQUIRE_MODULE
      ? { contents: NODE_REQUIRE_SOURCE }
      : { contents: `module.exports = require(${JSON.stringify(NODE_REQUIRE_MODULE)}).nodeRequire(${JSON.stringify(args.path)});\n` },
  );
}

/** The worker file's contents: logferry's worker entry and everything it imports, as one CommonJS file. */
async function buildWorker(build: PluginBuild): Promise<Uint8Array> {
  const options = build.initialOptions;
  const built = await build.esbuild.build({
    entryPoints: [WORKER_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: options.target,
    minify: options.minify,
    legalComments: 'none',
    write: false,
    outfile: BUNDLED_WORKER_FILE_NAME,
    absWorkingDir: options.absWorkingDir,
    logLevel: 'silent',
  });
  const output = built.outputFiles[0];
  if (output === undefined) throw new LogferryBundleError('logferry: esbuild produced no worker file for logferryPlugin()');
  return output.contents;
}

async function writeWorkerFiles(options: BuildOptions, result: BuildResult, contents: Uint8Array): Promise<void> {
  const workingDir = options.absWorkingDir ?? process.cwd();
  const paths = bundleFolders(result, workingDir, options).map((folder) => join(folder, BUNDLED_WORKER_FILE_NAME));
  if (options.write === false) result.outputFiles?.push(...paths.map((path) => outputFile(path, contents)));
  else await Promise.all(paths.map((path) => writeFile(path, contents)));
}

/** Every folder that holds an entry point's output. */
function bundleFolders(result: BuildResult, workingDir: string, options: BuildOptions): string[] {
  const outputs = Object.entries(result.metafile?.outputs ?? {});
  const folders = outputs.filter(([, output]) => output.entryPoint !== undefined).map(([path]) => dirname(resolve(workingDir, path)));
  if (folders.length === 0) folders.push(resolve(workingDir, options.outdir ?? dirname(options.outfile ?? '.')));
  return [...new Set(folders)];
}

function outputFile(path: string, contents: Uint8Array): OutputFile {
  return {
    path,
    contents,
    hash: '',
    get text() {
      return Buffer.from(contents).toString('utf8');
    },
  };
}
