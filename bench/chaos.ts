import { describeChaos, runChaos } from '../test/support/chaos-run.js';

// `npm run chaos -- --seconds N [--seed S] [--no-spool] [--endpoint URL]`: the chaos run of
// test/support/chaos-run.ts (against the local server, or another endpoint such as moto), printing
// the accounting (lines returned, arrived, missing, extra copies against those counted).

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const seconds = Number(argument('--seconds') ?? '60');
  const seed = Number(argument('--seed') ?? String(Date.now() % 1_000_000));
  if (!(seconds > 0) || !Number.isInteger(seed))
    throw new Error('usage: npm run chaos -- --seconds N [--seed S] [--no-spool] [--endpoint URL]');
  const result = await runChaos({
    seconds,
    seed,
    spool: !process.argv.includes('--no-spool'),
    endpoint: argument('--endpoint'),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\n${describeChaos(result)}\n`);
  process.exitCode = result.missing > 0 && result.spool ? 1 : 0;
}

void main();
