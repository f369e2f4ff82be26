import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { SinkWireOptions } from '../../src/wire/protocol.js';
import { createSinkReporter } from '../../src/wire/sink-reporter.js';
import type { LineHandlers } from '../shared/line-source.js';
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
// JSON lines are not joined one by one: consecutive lines of the chunk the worker was handed
// are written as the run of that chunk they are (one slice for thousands of lines), so a line
// costs stdout nothing but its share of the write. Lines are not handed to sonic-boom one by
// one either: its write() measures the UTF-8 length of its whole pending buffer on every call
// (docs/benchmarks.md#the-stdout-sinks-writes; docs/performance.md).
const WRITE_AT_CHARS = 64 * 1024;

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
  // The run of the current chunk not yet added to `pending`: chunk.slice(runStart, runEnd) holds whole lines and their newlines.
  let runChunk = '';
  let runStart = 0;
  let runEnd = 0;

  const closeRun = (): void => {
    if (runEnd > runStart) pending += runChunk.slice(runStart, runEnd);
    runChunk = '';
    runStart = 0;
    runEnd = 0;
  };

  const writeNow = (): void => {
    writeScheduled = false;
    closeRun();
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
    onLine(line, span) {
      if (format) pending += format(terminalSafe(line));
      else if (span !== undefined && span.chunk === runChunk && span.start === runEnd) runEnd = span.end + 1;
      else {
        closeRun();
        if (span === undefined) pending += `${line}\n`;
        else {
          runChunk = span.chunk;
          runStart = span.start;
          runEnd = span.end + 1;
        }
      }
      pendingLines++;
      if (pending.length + (runEnd - runStart) >= WRITE_AT_CHARS) writeNow();
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
