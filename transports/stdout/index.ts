import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { SinkWireOptions } from '../../src/wire.js';
import { lineTransport } from '../shared/line-source.js';
import { createSinkReporter } from '../shared/sink-reporter.js';

/** Options the app's thread sends this sink. */
export interface StdoutSinkOptions extends SinkWireOptions {
  pretty: boolean;
  colorize: boolean;
}

// Lines are gathered while the read loop runs and written to fd 1 in one synchronous write
// per turn of the worker's event loop. Writing the fd directly, not through the worker's
// process.stdout (which relays to the app's thread), keeps working while the app's thread
// is blocked waiting at exit.
// sonic-boom requires minLength below its 16 KiB maxWrite.
const WRITE_AT_BYTES = 8 * 1024;

export default function stdoutTransport(options: StdoutSinkOptions) {
  const reporter = createSinkReporter(options.sharedBuffer, 'stdout');
  const out = pino.destination({ dest: 1, sync: true, minLength: WRITE_AT_BYTES });
  const format = options.pretty ? prettyFactory({ colorize: options.colorize }) : undefined;
  let writeScheduled = false;

  const writeNow = (): void => {
    writeScheduled = false;
    try {
      out.flushSync();
    } catch (error) {
      reporter.error(`stdout write failed: ${(error as Error).message}`);
    }
  };

  return lineTransport({
    onLine(line) {
      reporter.add('received');
      out.write(format ? format(line) : `${line}\n`);
      reporter.add('delivered');
      if (!writeScheduled) {
        writeScheduled = true;
        setImmediate(writeNow);
      }
    },
    onFlush(flushId) {
      writeNow();
      reporter.acknowledge(flushId);
    },
    close: async () => writeNow(),
    onError: (error) => reporter.error(`stdout sink: ${(error as Error).message}`),
  });
}
