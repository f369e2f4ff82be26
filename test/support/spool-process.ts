import { type ChildProcess, spawn } from 'node:child_process';
import { fixturePath } from './run-fixture.js';

// The spool fixture (test/fixtures/spool-app.ts) as a running process: it writes each seq to fd 3
// once its log call returned, so a test knows exactly which lines the app was told were logged.

export interface SpoolAppRun {
  child: ChildProcess;
  /** Seqs the child wrote to fd 3 after their log call returned. */
  reported: () => number[];
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpoolAppOptions {
  /** Run first in `sh -c` (for a file-size limit). */
  shell?: string;
  /** A command to run the fixture under (`unshare …`). */
  prefix?: string[];
  /** Killed with SIGKILL past this. */
  timeoutMs?: number;
}

/** Starts the spool fixture in `mode` with `env`. */
export function startSpoolApp(mode: string, env: Record<string, string>, options: SpoolAppOptions = {}): SpoolAppRun {
  const args = [fixturePath('spool-app'), mode];
  const prefix = options.prefix ?? [];
  const stdio: Array<'pipe' | 'ignore'> = ['pipe', 'ignore', 'pipe', 'pipe'];
  const child = options.shell
    ? spawn('sh', ['-c', `${options.shell}; exec "$0" "$@"`, process.execPath, ...args], { env, stdio })
    : spawn(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length > 0 ? [process.execPath] : []), ...args], { env, stdio });
  let seqs = '';
  let stderr = '';
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    seqs += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    reported: () => (seqs.endsWith('\n') ? seqs : seqs.slice(0, seqs.lastIndexOf('\n') + 1)).split('\n').filter(Boolean).map(Number),
    stderr: () => stderr,
    done,
  };
}
