import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { parseOwner, type SpoolState } from '../../src/wire/spool-format.js';
import { LocalCloudWatchLogs } from './cloudwatch-server.js';
import { FaultProxy, type PutAttempt } from './fault-proxy.js';
import { fixturePath } from './run-fixture.js';
import { seededRandom } from './seeded-random.js';

// The chaos run (issue 27): a service logging audit lines at ~2,000/s in mixed sizes, behind a
// fault proxy that switches between resets, 5xx, throttling, hangs, cut bodies and outages, killed
// at random moments by a random one of SIGKILL, SIGTERM, process.exit, an uncaught throw or OOM,
// and restarted on the same spool dir. Then a last process on a calm endpoint, and the accounting:
// every line whose log call returned, against what the endpoint stored.

export const ENDINGS = ['SIGKILL', 'SIGTERM', 'exit', 'throw', 'oom'] as const;
export type Ending = (typeof ENDINGS)[number];

export interface ChaosOptions {
  seconds: number;
  seed: number;
  /** Spool on (the default) or off. */
  spool?: boolean;
  rate?: number;
  /** Progress lines, one per cycle. */
  log?: (line: string) => void;
  /** Another CloudWatch Logs endpoint behind the proxy (moto in server mode), instead of the local server. */
  endpoint?: string;
}

export interface CycleResult {
  ending: Ending;
  returned: number;
  missing: number;
  /** How the process ended as its parent saw it (`code 0`, `SIGKILL`, …). */
  ended: string;
  /** The process's possibleDuplicates, as it last wrote them. */
  counted: number;
  /** CloudWatch lines its ending said were not delivered (pending at the deadline, dropped, refused); 0 when it said nothing (a kill). */
  saidLost: number;
  /** Of its lines, those stored only by requests whose answer it never got (it could not know they arrived). */
  unconfirmed: number;
}

export interface ChaosResult {
  seed: number;
  spool: boolean;
  cycles: CycleResult[];
  /** Lines whose log call returned, in every cycle. */
  returned: number;
  /** Of those, stored by the endpoint at least once. */
  arrived: number;
  missing: number;
  /** Stored copies beyond the first, of any line. */
  extraCopies: number;
  /** possibleDuplicates, summed over every process (the last process included). */
  counted: number;
  /** PutLogEvents requests the endpoint stored but whose answer never reached the client whole: their lines. */
  unansweredStored: number;
  /** Requests that reached the endpoint whole, were not stored, and got no answer (resets, outages): their lines. */
  unansweredNotStored: number;
  /** Requests whose body never arrived whole (the client was killed or cut off mid-upload): nothing of them is stored. */
  cutShortRequests: number;
  /** Stored copies from answered requests beyond the first of a line (a process killed between the answer and its record). */
  answeredExtra: number;
  /**
   * counted − extra copies − unansweredNotStored: copies counted for attempts that never reached
   * the endpoint whole (a kill, or the deadline, cut them before their body was sent; the state
   * file says an attempt may have stored its batch before the attempt starts). Never negative:
   * that would be an unanswered attempt nobody counted.
   */
  countedNeverSent: number;
  /** Requests the proxy saw in each mode. */
  proxy: Record<string, number>;
  /** The last process's stderr (its flush result and stats). */
  drainStderr: string;
  /** `local` (test/support/cloudwatch-server.ts) or the outside endpoint's URL. */
  endpoint: string;
}

interface Child {
  child: ChildProcess;
  seqs: number[];
  counted: number;
  stderr: string;
  ready: Promise<void>;
  done: Promise<string>;
}

function startService(env: Record<string, string>, nodeArgs: string[]): Child {
  const child = spawn(process.execPath, [...nodeArgs, fixturePath('chaos-service')], { env, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  const run: Child = { child, seqs: [], counted: 0, stderr: '', ready: Promise.resolve(), done: Promise.resolve('') };
  let partial = '';
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    for (const line of text.slice(0, end).split('\n')) {
      if (line.startsWith('d ')) run.counted = Number(line.slice(2));
      else if (line) run.seqs.push(Number(line));
    }
  });
  run.ready = new Promise((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      run.stderr += chunk.toString();
      if (run.stderr.includes('chaos-ready')) resolve();
    });
    child.on('close', () => resolve());
  });
  run.done = new Promise((resolve) => child.on('close', (code, signal) => resolve(signal ?? `code ${code}`)));
  return run;
}

/** Runs the chaos for `seconds`, then drains on a calm endpoint and counts. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = seededRandom(options.seed);
  const spool = options.spool ?? true;
  // Only the seq of each stored line is kept: a long run stores gigabytes of padding otherwise.
  const server = await new LocalCloudWatchLogs({ keep: keepSeq }).start();
  const proxy = await new FaultProxy(options.endpoint ?? server.url, random).start();
  proxy.keep = keepSeq;
  const root = mkdtempSync(join(tmpdir(), 'logferry-chaos-'));
  // A group of its own per run: an outside endpoint keeps the groups of earlier runs.
  const group = options.endpoint ? `/logferry/chaos-${options.seed}-${Date.now()}` : '/logferry/chaos';
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL_CONSOLE: 'fatal',
    CLOUDWATCH_LOG_GROUP: group,
    CLOUDWATCH_LOG_STREAM: 'chaos',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: proxy.url,
    AWS_ACCESS_KEY_ID: 'local-test-key-id',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    RATE: String(options.rate ?? 2000),
    ...(spool ? { LOG_SPOOL_DIR: join(root, 'spool') } : {}),
  };
  const cycles: Array<CycleResult & { seqs: number[] }> = [];
  try {
    proxy.startChaos();
    const endAt = Date.now() + options.seconds * 1000;
    for (let cycle = 0; Date.now() < endAt; cycle++) {
      const ending = ENDINGS[Math.floor(random() * ENDINGS.length)] as Ending;
      const run = startService({ ...baseEnv, SEQ_FROM: String(cycle * 10_000_000) }, ['--max-old-space-size=96']);
      await run.ready;
      const lifeMs = 500 + Math.floor(random() * 3500);
      await new Promise((resolve) => setTimeout(resolve, lifeMs));
      if (ending === 'SIGKILL' || ending === 'SIGTERM') run.child.kill(ending);
      else run.child.stdin?.write(`${ending}\n`);
      // An ending that hangs past every bound is a finding: cut it and say so.
      const guard = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
      const ended = await run.done;
      clearTimeout(guard);
      // Its last count: what it wrote on fd 3, said on stderr at its end, or kept in its spool's state (a kill).
      run.counted = Math.max(run.counted, countSaidOnStderr(run.stderr), spool ? countKeptInState(join(root, 'spool'), run.child.pid) : 0);
      cycles.push({
        ending,
        returned: run.seqs.length,
        missing: 0,
        ended,
        counted: run.counted,
        saidLost: lostSaidOnStderr(run.stderr),
        unconfirmed: 0,
        seqs: run.seqs,
      });
      options.log?.(
        `cycle ${cycle + 1}: ${ending} after ${lifeMs} ms, ended ${ended}, ${run.seqs.length} lines returned, proxy ${proxy.mode}`,
      );
      for (const said of run.stderr.split('\n').filter((line) => line.startsWith('logferry:') && !line.includes('Bugsnag sink is off')))
        options.log?.(`  ${said}`);
    }
    await proxy.calm();
    const drain = startService({ ...baseEnv, DRAIN: '120000', SEQ_FROM: '0' }, []);
    const drainEnded = await drain.done;
    drain.counted = Math.max(drain.counted, countSaidOnStderr(drain.stderr));
    options.log?.(`last process on a calm endpoint: ended ${drainEnded}`);
    if (drainEnded !== 'code 0') options.log?.(`  its stderr: ${drain.stderr.slice(-1500)}`);

    const copies = new Map<number, number>();
    const stored = options.endpoint ? await readEndpoint(options.endpoint, group) : server.events(group).map((event) => event.message);
    for (const message of stored) {
      const seq = Number(message);
      if (message !== '' && Number.isInteger(seq)) copies.set(seq, (copies.get(seq) ?? 0) + 1);
    }
    let extraCopies = 0;
    for (const count of copies.values()) extraCopies += count - 1;
    const confirmed = new Set<string>();
    for (const put of proxy.puts) if (put.stored && put.answered) for (const seq of put.seqs) confirmed.add(seq);
    for (const cycle of cycles) {
      cycle.missing = cycle.seqs.filter((seq) => !copies.has(seq)).length;
      cycle.unconfirmed = cycle.seqs.filter((seq) => copies.has(seq) && !confirmed.has(String(seq))).length;
    }
    const counted = cycles.reduce((sum, cycle) => sum + cycle.counted, 0) + drain.counted;
    const accounting = attemptAccounting(proxy.puts);
    const countedNeverSent = counted - extraCopies - accounting.unansweredNotStored;
    const returned = cycles.reduce((sum, cycle) => sum + cycle.returned, 0);
    const missing = cycles.reduce((sum, cycle) => sum + cycle.missing, 0);
    return {
      seed: options.seed,
      spool,
      cycles: cycles.map(({ seqs: _seqs, ...rest }) => rest),
      returned,
      arrived: returned - missing,
      missing,
      extraCopies,
      counted,
      countedNeverSent,
      ...accounting,
      proxy: Object.fromEntries(proxy.counts),
      drainStderr: drain.stderr,
      endpoint: options.endpoint ?? 'local',
    };
  } finally {
    await proxy.stop();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The CloudWatch lines an ending said were lost: `not delivered: cloudwatch (P pending, D dropped)`
 * at a deadline (the pending ones are counted as dropped as the worker closes, less those said to
 * stay in the spool), or the `cloudwatch D dropped, R refused` of the lines lost since start.
 */
export function lostSaidOnStderr(stderr: string): number {
  const atDeadline = [...stderr.matchAll(/cloudwatch \((\d+) pending, (\d+) dropped\)/g)].at(-1);
  const sinceStart = [...stderr.matchAll(/cloudwatch (\d+) dropped, (\d+) refused/g)].at(-1);
  // With the spool on, pending lines said to stay on disk are not lost: the next process sends them.
  const kept = [...stderr.matchAll(/(\d+) of cloudwatch's pending lines stay in the spool/g)].at(-1);
  const pending = (atDeadline ? Number(atDeadline[1]) : 0) - (kept ? Number(kept[1]) : 0);
  const dropped = Math.max(atDeadline ? Number(atDeadline[2]) : 0, sinceStart ? Number(sinceStart[1]) : 0);
  return pending + dropped + (sinceStart ? Number(sinceStart[2]) : 0);
}

/** The possibleDuplicates an ending's report says (`cloudwatch may hold N lines twice`), 0 without one. */
function countSaidOnStderr(stderr: string): number {
  const said = [...stderr.matchAll(/cloudwatch may hold (\d+) lines? twice/g)].at(-1);
  return said ? Number(said[1]) : 0;
}

/** The possibleDuplicates a process's own spool state file kept (`ownerPossibleDuplicates`), 0 when it left none. */
function countKeptInState(dir: string, pid: number | undefined): number {
  let kept = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const owner = /^state-(.+)\.json$/.exec(name)?.[1];
    if (!owner || parseOwner(owner)?.pid !== pid) continue;
    try {
      const state = JSON.parse(readFileSync(join(dir, name), 'utf8')) as SpoolState;
      kept = Math.max(kept, state.ownerPossibleDuplicates ?? 0);
    } catch {
      // Cut short by the kill mid-write: the rename never happened, so this cannot be; skip it.
    }
  }
  return kept;
}

function attemptAccounting(
  puts: readonly PutAttempt[],
): Pick<ChaosResult, 'unansweredStored' | 'unansweredNotStored' | 'cutShortRequests' | 'answeredExtra'> {
  let [unansweredStored, unansweredNotStored, cutShortRequests, answeredExtra] = [0, 0, 0, 0];
  const answeredCopies = new Set<string>();
  for (const put of puts) {
    if (!put.complete) cutShortRequests++;
    else if (put.stored && !put.answered) unansweredStored += put.seqs.length;
    else if (!put.stored && !put.answered) unansweredNotStored += put.seqs.length;
    else if (put.stored)
      for (const seq of put.seqs) {
        if (answeredCopies.has(seq)) answeredExtra++;
        else answeredCopies.add(seq);
      }
  }
  return { unansweredStored, unansweredNotStored, cutShortRequests, answeredExtra };
}

/** The seqs of the stream's events at an outside endpoint, read with GetLogEvents from the start. */
async function readEndpoint(endpoint: string, group: string): Promise<string[]> {
  const client = new CloudWatchLogsClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local-test-key-id', secretAccessKey: 'local-test-secret' },
  });
  const seqs: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await client.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: 'chaos', startFromHead: true, nextToken: token }),
    );
    for (const event of page.events ?? []) seqs.push(keepSeq(event.message ?? ''));
    // The same token again: the end of the stream.
    if (!page.nextForwardToken || page.nextForwardToken === token) break;
    token = page.nextForwardToken;
  }
  client.destroy();
  return seqs;
}

/** The seq of an audit line, as text; anything else (the drop report) as an empty string. */
function keepSeq(message: string): string {
  const match = /"seq":(\d+)/.exec(message);
  return match?.[1] ?? '';
}

/** The accounting as a few lines of text. */
export function describeChaos(result: ChaosResult): string {
  const byEnding = ENDINGS.map((ending) => {
    const of = result.cycles.filter((cycle) => cycle.ending === ending);
    const returned = of.reduce((sum, cycle) => sum + cycle.returned, 0);
    const missing = of.reduce((sum, cycle) => sum + cycle.missing, 0);
    const said = of.reduce((sum, cycle) => sum + cycle.saidLost, 0);
    const unconfirmed = of.reduce((sum, cycle) => sum + cycle.unconfirmed, 0);
    return `  ${ending.padEnd(8)} ${String(of.length).padStart(4)} cycles ${String(returned).padStart(9)} returned ${String(missing).padStart(7)} missing ${String(said).padStart(7)} said lost ${String(unconfirmed).padStart(6)} arrived unanswered`;
  });
  return [
    `chaos run, seed ${result.seed}, spool ${result.spool ? 'on' : 'off'}, endpoint ${result.endpoint}: ${result.cycles.length} cycles`,
    `lines returned ${result.returned}, arrived ${result.arrived}, missing ${result.missing}`,
    `extra copies stored ${result.extraCopies}, counted as possibleDuplicates ${result.counted}`,
    `  lines of requests that got no answer: stored ${result.unansweredStored}, not stored ${result.unansweredNotStored}; copies of answered requests stored again ${result.answeredExtra}`,
    // Without the spool a killed process's count dies with it: the difference means nothing there.
    ...(result.spool
      ? [
          `  counted for attempts that never reached the endpoint whole ${result.countedNeverSent} (requests cut short mid-body: ${result.cutShortRequests})`,
        ]
      : []),
    'by ending:',
    ...byEnding,
    `proxy requests by mode: ${JSON.stringify(result.proxy)}`,
  ].join('\n');
}
