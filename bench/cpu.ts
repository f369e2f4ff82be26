// Scenario "CPU per line, all threads", child side: log `lines` lines (or errors) the way a
// service does, yielding to the event loop every so often, let the process end on its own, and
// report the kernel's CPU time of the whole process (user + sys, every thread, the log worker
// included) from the last 'exit' listener, after the logger's own exit hooks have run. The parent
// runs the same process with 0 lines and subtracts, so start-up and the logger's own set-up cancel.
import { readdirSync, readFileSync } from 'node:fs';
import type { BenchLogger } from './contenders.js';

/** The app's (main) thread's CPU in µs, from /proc on Linux; -1 elsewhere. The rest of the process is the other threads. */
function mainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100; // USER_HZ, 100 on every Linux Node supports
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
  } catch {
    return -1;
  }
}

/**
 * CPU µs of every thread of this process, by the kernel's name for it and its id, from /proc on
 * Linux; empty elsewhere. Threads that have ended are
 * not listed: their time is in the process's total only.
 */
export function cpuByThreadName(): Record<string, number> {
  const byName: Record<string, number> = {};
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const name = task === String(process.pid) ? 'app (main)' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))} ${task}`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
    }
  } catch {
    // Not Linux: no breakdown.
  }
  return byName;
}

/** The line of the issue: a few fields, one nested object, a counter. */
export function logCpuLine(log: BenchLogger, i: number): void {
  log.info({ a: 1, b: 'x', i, user: { id: 'u-42', org: 'acme' } }, 'hello world');
}

/** Errors with distinct messages, so each one is a Bugsnag event of its own rather than one the rate limit suppresses. */
export function logCpuError(log: BenchLogger, i: number): void {
  log.error(new TypeError(`amount is not a number (${i})`));
}

/**
 * Logs `count` calls, yielding every `yieldEvery`, then reports CPU at exit. `report` must write
 * synchronously (stderr is a pipe: synchronous on Linux).
 */
export async function runCpu(
  log: BenchLogger,
  count: number,
  yieldEvery: number,
  call: (i: number) => void,
  report: (result: Record<string, unknown>) => void,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    call(i);
    if ((i + 1) % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await log.close?.();
  // Registered after the logger's hooks (they were installed when the logger was built), so it
  // runs last: the flush at exit and the worker's last batches are in the figure.
  process.once('exit', () => {
    const usage = process.resourceUsage();
    report({
      lines: count,
      cpuUs: usage.userCPUTime + usage.systemCPUTime,
      userUs: usage.userCPUTime,
      sysUs: usage.systemCPUTime,
      mainThreadUs: mainThreadCpuUs(),
      ...(process.env.BENCH_THREADS ? { threadsUs: cpuByThreadName() } : {}),
    });
  });
}
