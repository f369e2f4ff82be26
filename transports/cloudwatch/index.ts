import { readCloudWatchLine } from '../../src/wire/cloudwatch-lines.js';
import { fitMessage } from '../../src/wire/fit-line.js';
import { readPrefixLevel, readPrefixTimeAfter } from '../../src/wire/line-prefix.js';
import { type SinkWireOptions, viewSharedState } from '../../src/wire/protocol.js';
import type { ResolvedCloudWatch, SpoolWire } from '../../src/wire/sink-options.js';
import { createSinkReporter, receivedLineCounter } from '../../src/wire/sink-reporter.js';
import { utf8Bytes } from '../../src/wire/utf8.js';
import { closeBudgetMs, type LineHandlers } from '../shared/line-source.js';
import { createLogsApi } from './client.js';
import { CloudWatchSender } from './sender.js';
import { SpoolShipper } from './spool/spool-shipper.js';

/** Options the app's thread sends this sink. */
export type CloudWatchSinkOptions = ResolvedCloudWatch & SinkWireOptions & { spool?: SpoolWire };

/** The CloudWatch Logs sink, run in the log worker thread behind the router. */
export function createCloudWatchSink(options: CloudWatchSinkOptions): LineHandlers {
  const reporter = createSinkReporter(options.sharedBuffer, 'cloudwatch');
  const countReceivedLine = receivedLineCounter(viewSharedState(options.sharedBuffer), 'cloudwatch', false);
  const api = createLogsApi(options);
  const spool = options.spool ? new SpoolShipper(options.spool, options.sharedBuffer, reporter) : undefined;
  const sender = new CloudWatchSender(api, spool ? { ...options, ...spool.senderHooks() } : options, reporter);
  const transactionalOnly = options.scope === 'transactional';
  /** Queues a line as an event; returns the seq it got. */
  const queue = (time: number, line: string, bytes = utf8Bytes(line)): number => {
    // The queue copies the line's bytes out of the string (see record-ring.ts); a line that fits
    // has its bytes counted once.
    if (bytes <= options.maxEventBytes) sender.enqueue(time, line, false, bytes);
    else {
      const fitted = fitMessage(line, options.maxEventBytes);
      if (fitted.truncated) reporter.add('truncated');
      sender.enqueue(time, fitted.message);
    }
    return sender.queue.lastSeq;
  };
  // A dead process's spooled lines go first, with the times they were logged at; they wait on disk
  // until the queue has room.
  spool?.recover({
    enqueue: (time, line) => queue(time ?? readCloudWatchLine(line, false).time, line),
    hasRoomFor: (bytes) => sender.queue.hasRoomFor(bytes),
    wake: () => sender.refillFromDisk(),
    undeliveredDrops: () => sender.undeliveredDrops(),
    reportDrops: (drops, origin) => sender.reportDrops(drops, origin),
  });
  sender.refillFromDisk();

  return {
    onLine(line, _span, prefixLevel) {
      let time: number;
      if (transactionalOnly) {
        const facts = readCloudWatchLine(line, true);
        if (!facts.transactional) return;
        time = facts.time;
      } else {
        // Every line in scope: only its time, read without an object per line.
        const leading = readPrefixTimeAfter(line, prefixLevel ?? readPrefixLevel(line));
        time = leading >= 0 ? leading : readCloudWatchLine(line, false).time;
      }
      countReceivedLine();
      const bytes = utf8Bytes(line);
      // With the spool on, a spooled line waits on disk while the queue is full (or lines before it wait there).
      const place = spool ? spool.placeOwnLine(bytes) : 'memory';
      if (place === 'disk') return;
      const seq = queue(time, line, bytes);
      if (place === 'spooled') spool?.noteOwnQueued(seq);
    },
    onFlush: (flushId) => sender.markFlush(flushId),
    close: async () => {
      await sender.close(closeBudgetMs(reporter.exitDeadline(), options.exitTimeoutMs));
      spool?.close();
    },
    onError: (error) => reporter.error(`CloudWatch sink: ${(error as Error).message}`),
  };
}
