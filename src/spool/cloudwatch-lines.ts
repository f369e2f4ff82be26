import { CHANNEL_FIELD, LEVELS, readFlushMarker, readLinePrefix, TRANSACTIONAL_CHANNEL } from '../wire.js';

// Which lines the CloudWatch sink ships, decided the same way on both threads: the app's thread
// spools exactly these lines, and the worker's sink numbers the same lines to know where each
// ends in the spool. Pure, and imported by the worker (transports/cloudwatch/index.ts).

const TRANSACTIONAL_MARK = `"${CHANNEL_FIELD}":"${TRANSACTIONAL_CHANNEL}"`;
// logferry binds channel first, so a transactional line from pino starts like this; only
// lines that mention the channel elsewhere need a full parse to tell.
const TRANSACTIONAL_PREFIX = new RegExp(`^\\{"level":\\d+,"time":(\\d+),"pid":\\d+,"hostname":"(?:[^"\\\\]|\\\\.)*",${TRANSACTIONAL_MARK}`);

/** A line's time, and whether it is on the transactional channel. */
export interface CloudWatchLineFacts {
  time: number;
  transactional: boolean;
}

const NOT_TRANSACTIONAL: CloudWatchLineFacts = Object.freeze({ time: 0, transactional: false });

/** The line's time, and whether it is on the transactional channel (top level, not a nested field of that name). */
export function readCloudWatchLine(line: string, needChannel: boolean): CloudWatchLineFacts {
  const mayBeTransactional = line.includes(TRANSACTIONAL_MARK);
  // The time of a line the sink will skip is never read.
  if (needChannel && !mayBeTransactional) return NOT_TRANSACTIONAL;
  if (needChannel) {
    const prefixed = TRANSACTIONAL_PREFIX.exec(line);
    if (prefixed) return { time: Number(prefixed[1]), transactional: true };
  }
  const leading = readLinePrefix(line);
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

/** The level the worker's router reads from a line (its first bytes, else the parsed field, else info). */
function lineLevel(line: string): number {
  const prefix = readLinePrefix(line);
  if (prefix) return prefix.level;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' ? level : LEVELS.info;
  } catch {
    return LEVELS.info;
  }
}

/** Whether the CloudWatch sink (at `minLevel`, transactional-only or not) ships this line (no trailing newline). */
export function shipsToCloudWatch(line: string, minLevel: number, transactionalOnly: boolean): boolean {
  if (transactionalOnly && !line.includes(TRANSACTIONAL_MARK)) return false;
  if (lineLevel(line) < minLevel || readFlushMarker(line) >= 0) return false;
  return !transactionalOnly || readCloudWatchLine(line, true).transactional;
}
