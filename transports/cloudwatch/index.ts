import type { ResolvedCloudWatch } from '../../src/config-sinks.js';
import { CHANNEL_FIELD, readLinePrefix, type SinkWireOptions, TRANSACTIONAL_CHANNEL } from '../../src/wire.js';
import { closeBudgetMs, lineTransport } from '../shared/line-source.js';
import { createSinkReporter } from '../shared/sink-reporter.js';
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

/** The line's time, and whether it is on the transactional channel (top level, not a nested field of that name). */
function readLine(line: string, needChannel: boolean): LineFacts {
  if (needChannel) {
    const prefixed = TRANSACTIONAL_PREFIX.exec(line);
    if (prefixed) return { time: Number(prefixed[1]), transactional: true };
  }
  const leading = readLinePrefix(line);
  const mayBeTransactional = line.includes(TRANSACTIONAL_MARK);
  if (leading && !(needChannel && mayBeTransactional)) return { time: leading.time, transactional: false };
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

/** The CloudWatch Logs sink: a pino transport run in the log worker thread. */
export default function cloudwatchTransport(options: CloudWatchSinkOptions) {
  const reporter = createSinkReporter(options.sharedBuffer, 'cloudwatch');
  const api = createLogsApi(options);
  const sender = new CloudWatchSender(api, options, reporter);
  const transactionalOnly = options.scope === 'transactional';

  return lineTransport({
    onLine(line) {
      const facts = readLine(line, transactionalOnly);
      if (transactionalOnly && !facts.transactional) return;
      reporter.add('received');
      const fitted = fitMessage(line, options.maxEventBytes);
      if (fitted.truncated) reporter.add('truncated');
      sender.enqueue(facts.time, fitted.message);
    },
    onFlush: (flushId) => sender.markFlush(flushId),
    close: () => sender.close(closeBudgetMs(reporter.exitDeadline(), options.exitTimeoutMs)),
    onError: (error) => reporter.error(`CloudWatch sink: ${(error as Error).message}`),
  });
}
