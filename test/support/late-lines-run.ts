import { readFileSync } from 'node:fs';
import { type FixtureOptions, type FixtureRun, runFixture } from './run-fixture.js';

// The late-lines fixture (test/fixtures/late-lines.ts) logs until its process ends and records the
// seq of every log call that returned. Its test and scripts/measure-endings.cjs signal it alike.

/** The seqs whose log call returned before the process ended. */
export function returnedSeqs(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
}

/** What signalling the fixture while it logs gave. */
export interface SignalledRun {
  run: FixtureRun;
  /** Calls that had returned when the signal was sent. */
  atSignal: number;
  /** Epoch ms the signal was sent. */
  signalAt: number;
}

/** Runs the fixture, recording into `record`, and sends it `signal` once it is logging. */
export async function signalWhileLogging(signal: NodeJS.Signals, env: FixtureOptions['env'], record: string): Promise<SignalledRun> {
  let atSignal = 0;
  let signalAt = 0;
  const run = await runFixture('late-lines', {
    env,
    args: [record],
    onStderr: {
      marker: 'fixture-ready',
      act: (child) => {
        atSignal = returnedSeqs(record).length;
        signalAt = Date.now();
        child.kill(signal);
      },
    },
  });
  return { run, atSignal, signalAt };
}
