import { type ChildProcess, spawn } from 'node:child_process';
import { fixturePath } from './run-fixture.js';

/** A fixture that serves HTTP until told to stop: its port, and its output once it has ended. */
export interface RunningService {
  url: string;
  child: ChildProcess;
  /** Sends `signal` and resolves with everything it printed once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `fixture` with a clean environment plus `env`, and waits (at most 30 s) for it to print `port=N`. */
export function startService(fixture: string, args: string[], env: Record<string, string>): Promise<RunningService> {
  const child = spawn(process.execPath, [fixturePath(fixture), ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${fixture} printed no port within 30 s: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const port = /port=(\d+)/.exec(stderr)?.[1];
      if (port === undefined || listening) return;
      listening = true;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${port}`,
        child,
        async stop(signal = 'SIGTERM') {
          child.kill(signal);
          const end = await exited;
          clearTimeout(killer);
          return { ...end, stdout: Buffer.concat(stdout).toString(), stderr };
        },
      });
    });
    void exited.then(({ code }) => reject(new Error(`${fixture} exited (${code}) before listening: ${stderr}`)));
  });
}
