import type { ResolvedCloudWatch } from '../../src/config-sinks.js';
import { CHANNEL_FIELD, type SinkWireOptions, TRANSACTIONAL_CHANNEL } from '../../src/wire.js';
import { readPrefixTime } from '../shared/line-prefix.js';
import { closeBudgetMs, type LineHandlers } from '../shared/line-source.js';
import { createSinkReporter } from '../shared/sink-reporter.js';
import { utf8Bytes } from '../shared/utf8.js';
import { createLogsApi } from './client.js';
import { CloudWatchSender } from './sender.js';
import { fitMessage } from './truncate.js';

/** Options the app's thread sends this sink. */
export type CloudWatchSinkOptions = ResolvedCloudWatch & SinkWireOptions;

const TRANSACTIONAL_MARK = `"${CHANNEL_FIELD}":"${TRANSACTIONAL_CHANNEL}"`;
// logferry binds channel first, so a transactional line from pino starts like this; only
// lines that mention the channel elsewhere need a full parse to tell.
const TRANSACTIONAL_PREFIX = new RegExp(`^\\{"level":\\d+,"time":(\\d+),"pid":\\d+,"hostname":"(?:[^"\\\\]|\\\\.)*",${TRANSACTIONAL_MARK}`);

interface LineFacts {
  time: number;
  transactional: boolean;
}

const NOT_TRANSACTIONAL: LineFacts = Object.freeze({ time: 0, transactional: false });

/** The line's time, and whether it is on the transactional channel (top level, not a nested field of that name). */
function readLine(line: string, needChannel: boolean): LineFacts {
  // Every line in scope (CLOUDWATCH_SCOPE=all): only the time is needed.
  const mayBeTransactional = needChannel && line.includes(TRANSACTIONAL_MARK);
  // The time of a line the sink will skip is never read.
  if (needChannel && !mayBeTransactional) return NOT_TRANSACTIONAL;
  if (needChannel) {
    const prefixed = TRANSACTIONAL_PREFIX.exec(line);
    if (prefixed) return { time: Number(prefixed[1]), transactional: true };
  }
  const leadingTime = readPrefixTime(line);
  if (leadingTime >= 0 && !mayBeTransactional) return { time: leadingTime, transactional: false };
  try {
    const parsed = JSON.parse(line) as { time?: unknown; [CHANNEL_FIELD]?: unknown };
    return {
      time: typeof parsed.time === 'number' ? parsed.time : Date.now(),
      transactional: parsed[CHANNEL_FIELD] === TRANSACTIONAL_CHANNEL,
    };
  } catch {
    return { time: Date.now(), transactional: false };
  }
}

/** The time of a line, every line being in scope: no object per line. */
function readTime(line: string): number {
  const time = readPrefixTime(line);
  return time >= 0 ? time : readLine(line, false).time;
}

/** The CloudWatch Logs sink, run in the log worker thread behind the router. */
export function createCloudWatchSink(options: CloudWatchSinkOptions): LineHandlers {
  const reporter = createSinkReporter(options.sharedBuffer, 'cloudwatch');
  const api = createLogsApi(options);
  const sender = new CloudWatchSender(api, options, reporter);
  const transactionalOnly = options.scope === 'transactional';

  return {
    onLine(line) {
      let time: number;
      if (transactionalOnly) {
        const facts = readLine(line, true);
        if (!facts.transactional) return;
        time = facts.time;
      } else time = readTime(line);
      reporter.add('received');
      // The queue copies the line's bytes out of the string (see record-ring.ts).
      const bytes = utf8Bytes(line);
      if (bytes <= options.maxEventBytes) {
        sender.enqueue(time, line, false, bytes);
        return;
      }
      const fitted = fitMessage(line, options.maxEventBytes);
      if (fitted.truncated) reporter.add('truncated');
      sender.enqueue(time, fitted.message);
    },
    onFlush: (flushId) => sender.markFlush(flushId),
    close: () => sender.close(closeBudgetMs(reporter.exitDeadline(), options.exitTimeoutMs)),
    onError: (error) => reporter.error(`CloudWatch sink: ${(error as Error).message}`),
  };
}
