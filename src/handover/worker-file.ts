import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the log worker's code is on disk. thread-stream starts the worker from a file path, so an app that
// bundles logferry (esbuild) has no transports/ folder beside it: logferryPlugin() writes one
// self-contained file beside the bundle instead, and the bundle's banner says where.

/** The file name logferryPlugin() writes beside a bundle. */
export const BUNDLED_WORKER_FILE_NAME = 'logferry-worker.cjs';

/** The global a bundle's banner sets to the path (or file: URL) of its worker file. */
export const BUNDLED_WORKER_GLOBAL = '__logferryWorkerFile';

/** How to start the worker: the transport target, and thread-stream's worker script when it is not thread-stream's own. */
export interface WorkerFiles {
  target: string;
  /** Set for a bundled worker file, which is thread-stream's worker loop and the router in one. */
  threadStreamWorker?: string;
}

/** The worker's code could not be found: what was looked for, and the fix, for one stderr line. */
export interface MissingWorker {
  missing: string;
}

/** Finds the worker's code: a bundle's own worker file first, then the compiled router of the installed package. */
export function locateWorker(): WorkerFiles | MissingWorker {
  const bundled = bundledWorkerFile();
  if (bundled !== undefined && existsSync(bundled)) return { target: bundled, threadStreamWorker: bundled };
  const packaged = packagedRouterPath();
  if (packaged !== undefined && existsSync(packaged)) return { target: packaged };
  if (bundled !== undefined) {
    return {
      missing: `logferry: the log worker file ${bundled} is missing (logferryPlugin() from 'logferry/esbuild' writes it beside the bundle): deploy it with the bundle. Logging to stdout from the app's thread; CloudWatch and Bugsnag are off`,
    };
  }
  return {
    missing: `logferry: the log worker is missing (${packaged ?? 'transports/router/index.js'} not found: logferry seems to be bundled). Add logferryPlugin() from 'logferry/esbuild' to the esbuild build, or keep logferry external. Logging to stdout from the app's thread; CloudWatch and Bugsnag are off`,
  };
}

/** The compiled router beside this file's compiled directory, in the package and in tests alike. */
function packagedRouterPath(): string | undefined {
  // An ES-module bundle has no __dirname.
  return typeof __dirname === 'string' ? join(__dirname, '..', '..', 'transports', 'router', 'index.js') : undefined;
}

function bundledWorkerFile(): string | undefined {
  const value = (globalThis as Record<string, unknown>)[BUNDLED_WORKER_GLOBAL];
  if (typeof value !== 'string' || value === '') return undefined;
  // An ES-module bundle's banner gives a file: URL (from import.meta.url), a CommonJS one a path.
  return value.startsWith('file:') ? fileURLToPath(value) : value;
}

/**
 * Runs `start` with thread-stream pointed at `file` for its worker script. thread-stream reads
 * the override when it creates the Worker, so it is set only for that moment and other pino
 * transports in the same app keep theirs.
 */
export function withThreadStreamWorker<T>(file: string | undefined, start: () => T): T {
  if (file === undefined) return start();
  const holder = globalThis as { __bundlerPathsOverrides?: Record<string, string> };
  const hadOverrides = Object.hasOwn(globalThis, '__bundlerPathsOverrides');
  const previous = holder.__bundlerPathsOverrides;
  holder.__bundlerPathsOverrides = { ...previous, 'thread-stream-worker': file };
  try {
    return start();
  } finally {
    if (hadOverrides) holder.__bundlerPathsOverrides = previous;
    else delete holder.__bundlerPathsOverrides;
  }
}
