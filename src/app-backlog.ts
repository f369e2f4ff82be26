import type { TransportStream } from './root.js';

// thread-stream copies lines into the worker's shared buffer only when the app's event loop
// turns (setImmediate). A loop that logs without yielding therefore queues every line on the
// app's thread: 1,000,000 lines held ~430 MiB there before the worker saw the first one.
// Past maxAppBacklogBytes within one turn, the lines are handed over synchronously
// (thread-stream's flushSync), so the app waits for the worker's CPU, at its pace of a few
// hundred thousand lines a second. It never waits on the network: the worker's sinks queue
// and send on their own, without stalling the read loop. (thread-stream does the same on its
// own only at Node's string limit, ~512 MiB.)

/** The pino destination for the app's thread: the worker's stream, with the app-side backlog capped. */
export interface BoundedDestination {
  write(line: string): boolean;
  flush(callback: (error?: Error) => void): void;
}

export function boundAppBacklog(stream: TransportStream, maxBacklogBytes: number): BoundedDestination {
  let backlogBytes = 0;
  // A worker that stops reading for thread-stream's 10 s makes flushSync throw; from then on
  // lines are queued as before rather than stall every log call, and that is said once.
  let handOverWorks = true;
  return {
    write(line) {
      const accepted = stream.write(line);
      // write() says false once the lines held exceed the worker's free shared buffer.
      if (accepted) {
        backlogBytes = 0;
        return true;
      }
      // Characters, not UTF-8 bytes: exact enough for a bound, and free to count.
      backlogBytes += line.length;
      if (backlogBytes >= maxBacklogBytes && handOverWorks) {
        backlogBytes = 0;
        try {
          stream.flushSync();
        } catch (error) {
          handOverWorks = false;
          process.stderr.write(
            `logferry: the log worker did not keep up (${(error as Error).message}); lines now queue on the app's thread until it does\n`,
          );
        }
      }
      return false;
    },
    flush(callback) {
      stream.flush(callback);
    },
  };
}
