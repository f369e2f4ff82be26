// The app-thread CPU of the lines a tracked request writes, in and out of a log context, in one
// process: production profile at `info`, JSON to stdout (send it to /dev/null), no worker.
// Compare trees by running it in a build of each, alternating (docs/performance.md, "The context
// as text"): `npm run build && node dist/bench/context-lines.js > /dev/null`.
const CALLS = Number(process.env.BENCH_LINES ?? '200000');
const WARM_UP = 20_000;

/** CPU ns per call of `call`, after an untimed warm-up. */
function cpuNsPerCall(call: (i: number) => void): number {
  for (let i = 0; i < WARM_UP; i++) call(i);
  const before = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) call(i);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / CALLS;
}

async function main(): Promise<void> {
  // Set before logferry is loaded: it reads them when the first logger is made.
  process.env.NODE_ENV = 'production';
  process.env.LOG_LEVEL = 'info';
  const { createLogger, withLogContext } = await import('../src/index.js');
  const log = createLogger('orders');
  const handlerLine = (i: number) => log.info({ orderId: i }, 'loading order');
  // The completion line's shape, its URL's query censored already, as request logging writes it.
  const completionLine = (i: number) =>
    log.info(
      { url: `/orders/${i}?token=[Redacted]&page=2`, statusCode: 200, durationMs: 1.25, requestCompleted: true },
      'request completed',
    );
  const requestContext = (i: number) => ({
    requestId: `0d9c6a4e-5b1f-4c1e-9a51-${String(i).padStart(12, '0')}`,
    method: 'GET',
    route: '/orders/:id',
  });

  const rows: Array<[string, () => number]> = [
    ['a short line, no context', () => cpuNsPerCall(handlerLine)],
    ['a short line in one long-lived context', () => withLogContext(requestContext(0), () => cpuNsPerCall(handlerLine))],
    ['the completion line (a URL with a query), no context', () => cpuNsPerCall(completionLine)],
    [
      'a request: a fresh context and both lines (per request)',
      () =>
        cpuNsPerCall((i) =>
          withLogContext(requestContext(i), () => {
            handlerLine(i);
            completionLine(i);
          }),
        ),
    ],
  ];

  for (const [label, measure] of rows) process.stderr.write(`${label}: ${Math.round(measure())} ns CPU\n`);
}

void main();
