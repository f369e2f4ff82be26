import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { SinkWireOptions } from '../../src/wire.js';
import type { LineHandlers } from '../shared/line-source.js';
import { createSinkReporter } from '../shared/sink-reporter.js';
import { terminalSafe } from './terminal-safe.js';

/** Options the app's thread sends this sink. */
export interface StdoutSinkOptions extends SinkWireOptions {
  pretty: boolean;
  colorize: boolean;
}

// Lines are gathered while the read loop runs and written to fd 1 in one synchronous write
// per turn of the worker's event loop (or sooner, once WRITE_AT_CHARS have gathered).
// Writing the fd directly, not through the worker's process.stdout (which relays to the
// app's thread), keeps working while the app's thread is blocked waiting at exit.
// Lines are joined here rather than handed to sonic-boom one by one: its write() measures
// the UTF-8 length of its whole pending buffer on every call (docs/benchmarks.md#the-stdout-sinks-writes).
const WRITE_AT_CHARS = 16 * 1024;

/** The stdout sink (JSON lines, or pino-pretty in development), run in the log worker thread behind the router. */
export function createStdoutSink(options: StdoutSinkOptions): LineHandlers {
  const reporter = createSinkReporter(options.sharedBuffer, 'stdout');
  // sonic-boom still does the writing: it retries EAGAIN on a non-blocking pipe.
  const out = pino.destination({ dest: 1, sync: true });
  out.on('error', (error: Error) => reporter.error(`stdout write failed: ${error.message}`));
  const format = options.pretty ? prettyFactory({ colorize: options.colorize }) : undefined;
  let pending = '';
  let pendingLines = 0;
  let writeScheduled = false;

  const writeNow = (): void => {
    writeScheduled = false;
    if (pendingLines === 0) return;
    const text = pending;
    const lines = pendingLines;
    pending = '';
    pendingLines = 0;
    reporter.add('received', lines);
    try {
      out.write(text);
      reporter.add('delivered', lines);
    } catch (error) {
      reporter.error(`stdout write failed: ${(error as Error).message}`);
    }
  };

  return {
    onLine(line) {
      pending += format ? format(terminalSafe(line)) : `${line}\n`;
      pendingLines++;
      if (pending.length >= WRITE_AT_CHARS) writeNow();
      else if (!writeScheduled) {
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
  };
}
