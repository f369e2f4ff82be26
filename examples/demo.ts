// `npm run demo`: a scripted tour of logferry. It starts the example service in a child
// process, drives some traffic, and ends with a real crash, so the exit path is shown too.
//   npm run demo                    development: pretty console lines
//   npm run demo -- --production    production: JSON on stdout, plus local CloudWatch Logs and
//                                   Bugsnag stand-ins, and what each of them received
//   add --serve to keep the service up for poking (Ctrl-C to stop).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_BUGSNAG_KEY } from '../test/support/bugsnag-env.js';
import { LocalBugsnag } from '../test/support/bugsnag-receiver.js';
import { LocalCloudWatchLogs } from '../test/support/cloudwatch-server.js';

const production = process.argv.includes('--production');
const serve = process.argv.includes('--serve');
const LOG_GROUP = '/logferry/demo/transactional';

function say(text: string): void {
  process.stderr.write(`\x1b[1m▶ ${text}\x1b[0m\n`);
}

async function request(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
  say(`${method} ${path} → ${response.status}`);
}

function startService(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(__dirname, 'service.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      seen += text;
      const port = /service-port=(\d+)/.exec(seen)?.[1];
      process.stderr.write(text.replace(/service-port=\d+\n/, ''));
      if (port) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`the service exited early (code ${code})`)));
  });
}

async function main(): Promise<void> {
  const cloudwatch = production ? await new LocalCloudWatchLogs().start() : undefined;
  const bugsnag = production ? await new LocalBugsnag().start() : undefined;
  const env: Record<string, string> =
    cloudwatch && bugsnag
      ? {
          NODE_ENV: 'production',
          CLOUDWATCH_LOG_GROUP: LOG_GROUP,
          AWS_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudwatch.url,
          // The local stand-in checks that requests are signed, not by whom: no real credentials exist here.
          AWS_ACCESS_KEY_ID: 'demo-key-id',
          AWS_SECRET_ACCESS_KEY: 'demo-secret',
          AWS_EC2_METADATA_DISABLED: 'true',
          BUGSNAG_API_KEY: TEST_BUGSNAG_KEY,
          BUGSNAG_ENDPOINT_NOTIFY: bugsnag.notifyUrl,
          BUGSNAG_ENDPOINT_SESSIONS: bugsnag.sessionsUrl,
          APP_VERSION: '1.0.0-demo',
          NODE_NO_WARNINGS: '1',
        }
      : { NODE_ENV: 'development', LOG_PRETTY: '1' };

  say(`starting the example service (${production ? 'production profile, local CloudWatch and Bugsnag' : 'development profile'})`);
  const { child, port } = await startService(env);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await request(port, 'POST', '/organizations?name=Acme&owner=ada@example.com');
  await request(port, 'POST', '/organizations?name=Globex&owner=grace@example.com');
  await request(port, 'GET', '/organizations/org-1');
  await request(port, 'GET', '/organizations/org-404');
  await request(port, 'POST', '/billing/charge', { authorization: 'Bearer demo-token-that-must-not-leak' });

  if (serve) {
    say(`the service is up on http://127.0.0.1:${port} (Ctrl-C to stop)`);
    await new Promise((resolve) => process.once('SIGINT', resolve));
    child.kill('SIGTERM');
    await exited;
  } else {
    await request(port, 'GET', '/crash');
    const code = await exited;
    say(`the service crashed on an uncaught TypeError and exited with code ${code}, after its logs were delivered`);
  }

  if (cloudwatch && bugsnag) {
    const events = cloudwatch.messages(LOG_GROUP);
    say(`CloudWatch Logs received ${events.length} transactional events in ${LOG_GROUP}:`);
    for (const event of events)
      process.stderr.write(
        `    ${JSON.stringify({ msg: event.msg, organizationId: event.organizationId, userEmail: event.userEmail, requestId: event.requestId })}\n`,
      );
    say(`Bugsnag received ${bugsnag.events.length} events:`);
    for (const event of bugsnag.events) {
      const [first, ...causes] = event.exceptions;
      process.stderr.write(
        `    ${event.unhandled ? 'UNHANDLED' : 'handled  '} ${event.severity.padEnd(7)} ${first?.errorClass}: ${first?.message}` +
          `${causes.length ? ` (caused by ${causes.map((c) => `${c.errorClass}: ${c.message}`).join(' ← ')})` : ''}` +
          ` · context ${event.context} · ${event.breadcrumbs?.length ?? 0} breadcrumbs\n`,
      );
    }
    say(`Bugsnag received ${bugsnag.sessionsStarted} sessions (one per request) in ${bugsnag.sessions.length} payloads`);
    const leaked = bugsnag.payloads.some((payload) => payload.raw.includes('demo-token-that-must-not-leak'));
    say(`the bearer token sent to /billing/charge ${leaked ? 'LEAKED into a Bugsnag payload' : 'appears in no payload: it was redacted'}`);
    await cloudwatch.stop();
    await bugsnag.stop();
    if (leaked || events.length < 2 || bugsnag.events.length < 3) process.exitCode = 1;
  } else {
    say('run `npm run demo -- --production` for the production pipeline with local CloudWatch Logs and Bugsnag');
  }
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${(error as Error).stack}\n`);
  process.exitCode = 1;
});
