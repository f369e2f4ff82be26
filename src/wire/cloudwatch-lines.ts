import { lineLevel, lineTime } from './line-prefix.js';
import { CHANNEL_FIELD, readFlushMarker, TRANSACTIONAL_CHANNEL } from './protocol.js';

// Which lines the CloudWatch sink ships, decided the same way on both threads: the app's thread
// spools exactly these lines, and the worker's sink numbers the same lines to know where each
// ends in the spool. Pure, and imported by the worker (transports/cloudwatch/index.ts).

const TRANSACTIONAL_MARK = `"${CHANNEL_FIELD}":"${TRANSACTIONAL_CHANNEL}"`;
// logferry binds channel first, so a transactional line from pino starts like this; only
// lines that mention the channel elsewhere need a full parse to tell.
const TRANSACTIONAL_PREFIX = new RegExp(`^\\{"level":\\d+,"time":\\d+,"pid":\\d+,"hostname":"(?:[^"\\\\]|\\\\.)*",${TRANSACTIONAL_MARK}`);

/** A line's time, and whether it is on the transactional channel. */
export interface CloudWatchLineFacts {
  time: number;
  transactional: boolean;
}

const NOT_TRANSACTIONAL: CloudWatchLineFacts = Object.freeze({ time: 0, transactional: false });
/** Whether a line that mentions the channel has it at the top level (the last one, as JSON.parse reads a repeated key, unless pino's prefix puts it first). */
function channelIsTransactional(line: string): boolean {
  if (TRANSACTIONAL_PREFIX.test(line)) return true;
  try {
    return (JSON.parse(line) as { [CHANNEL_FIELD]?: unknown })[CHANNEL_FIELD] === TRANSACTIONAL_CHANNEL;
  } catch {
    return false;
  }
}

/** The line's time, and whether it is on the transactional channel (top level, not a nested field of that name). */
export function readCloudWatchLine(line: string, needChannel: boolean): CloudWatchLineFacts {
  // The time of a line the sink will skip is never read.
  if (needChannel && !line.includes(TRANSACTIONAL_MARK)) return NOT_TRANSACTIONAL;
  return { time: lineTime(line), transactional: needChannel ? channelIsTransactional(line) : false };
}

/** Whether the CloudWatch sink (at `minLevel`, transactional-only or not) ships this line (no trailing newline). */
export function shipsToCloudWatch(line: string, minLevel: number, transactionalOnly: boolean): boolean {
  if (transactionalOnly && !line.includes(TRANSACTIONAL_MARK)) return false;
  if (lineLevel(line) < minLevel || readFlushMarker(line) >= 0) return false;
  return !transactionalOnly || channelIsTransactional(line);
}
