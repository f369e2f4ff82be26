import { type ChildProcess, spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';

/** Compiled fixture scripts live beside the compiled tests. */
export function fixturePath(name: string): string {
  return join(__dirname, '..', 'fixtures', `${name}.js`);
}

export interface FixtureRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface FixtureOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  /** Flags for node itself, before the fixture's path (e.g. `--expose-gc`). */
  nodeArgs?: string[];
  /** Called once the child prints `marker` on stderr (e.g. to send it a signal). */
  onStderr?: { marker: string; act: (child: ChildProcess) => void };
  /** Kill the child after this long; a fixture never hangs the suite. */
  timeoutMs?: number;
  /** The child's working directory (default: the runner's). */
  cwd?: string;
}

/** Runs a fixture (a name in test/fixtures, or an absolute path) in its own node process, with a clean logging environment plus `env`. */
export function runFixture(name: string, options: FixtureOptions = {}): Promise<FixtureRun> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const script = isAbsolute(name) ? name : fixturePath(name);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  let triggered = false;
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (options.onStderr && !triggered && stderr.includes(options.onStderr.marker)) {
      triggered = true;
      options.onStderr.act(child);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr });
    });
  });
}

/** The JSON lines of a run's stdout; a line that is not JSON fails loudly. */
export function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line is not JSON: ${line.slice(0, 200)}`);
      }
    });
}
