import { CHANNEL_FIELD, LEVELS, readFlushMarker, TRANSACTIONAL_CHANNEL } from './protocol.js';

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
const LEVEL_START = '{"level":';
const TIME_FIELD = ',"time":';

/** The digits at `from` as a number, or -1 when there are none. */
function digitsAt(line: string, from: number): { value: number; end: number } {
  let value = 0;
  let at = from;
  for (let code = line.charCodeAt(at); code >= 48 && code <= 57; code = line.charCodeAt(++at)) value = value * 10 + code - 48;
  return { value: at === from ? -1 : value, end: at };
}

/** Level and time from the first bytes of a pino line (`{"level":N,"time":N`), without a regex's match arrays. */
function leadingLevelAndTime(line: string): { level: number; time: number } | undefined {
  if (!line.startsWith(LEVEL_START)) return undefined;
  const level = digitsAt(line, LEVEL_START.length);
  if (level.value < 0 || !line.startsWith(TIME_FIELD, level.end)) return undefined;
  const time = digitsAt(line, level.end + TIME_FIELD.length);
  return time.value < 0 ? undefined : { level: level.value, time: time.value };
}

/** Whether a line that mentions the channel has it at the top level (the last one, as JSON.parse reads a repeated key, unless pino's prefix puts it first). */
function channelIsTransactional(line: string): boolean {
  if (TRANSACTIONAL_PREFIX.test(line)) return true;
  try {
    return (JSON.parse(line) as { [CHANNEL_FIELD]?: unknown })[CHANNEL_FIELD] === TRANSACTIONAL_CHANNEL;
  } catch {
    return false;
  }
}

/** A line's time as the sink sends it: pino's leading time, else the parsed field, else now. */
function lineTime(line: string): number {
  const leading = leadingLevelAndTime(line);
  if (leading) return leading.time;
  try {
    const time = (JSON.parse(line) as { time?: unknown }).time;
    return typeof time === 'number' ? time : Date.now();
  } catch {
    return Date.now();
  }
}

/** The line's time, and whether it is on the transactional channel (top level, not a nested field of that name). */
export function readCloudWatchLine(line: string, needChannel: boolean): CloudWatchLineFacts {
  // The time of a line the sink will skip is never read.
  if (needChannel && !line.includes(TRANSACTIONAL_MARK)) return NOT_TRANSACTIONAL;
  return { time: lineTime(line), transactional: needChannel ? channelIsTransactional(line) : false };
}

/** The level the worker's router reads from a line (its first bytes, else the parsed field, else info). */
function lineLevel(line: string): number {
  const leading = leadingLevelAndTime(line);
  if (leading) return leading.level;
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
  return !transactionalOnly || channelIsTransactional(line);
}
