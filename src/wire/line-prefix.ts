import { LEVELS } from './protocol.js';

// pino writes every line as {"level":N,"time":N,...}. The router reads the level of every line
// and hands it to the sinks, and the CloudWatch sink reads the time after it, so both are read
// here digit by digit, without a RegExp match object, a Number() of a substring or a result
// object per line. This is the one reader of a line's level and time, on both threads.

const LEVEL_PREFIX = '{"level":';
const TIME_FIELD = ',"time":';
const ZERO = 48;
/** Digits read in integer arithmetic before the value is carried on as a float: 10^9 < 2^31. */
const INT_DIGITS = 9;

/** Digits from `at` as a number, or -1 when there is none. */
function readDigits(line: string, at: number): number {
  // A ms time has 13 digits: the first nine in int32 arithmetic, the rest carried on a float.
  let head = 0;
  let i = at;
  const headEnd = Math.min(line.length, at + INT_DIGITS);
  for (; i < headEnd; i++) {
    const digit = line.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) break;
    head = head * 10 + digit;
  }
  let value = head;
  if (i === headEnd) {
    for (; i < line.length; i++) {
      const digit = line.charCodeAt(i) - ZERO;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
  }
  return i === at ? -1 : value;
}

/** The level at the start of a pino line, or -1 when the line does not start that way. */
export function readPrefixLevel(line: string): number {
  return line.startsWith(LEVEL_PREFIX) ? readDigits(line, LEVEL_PREFIX.length) : -1;
}

/**
 * The time after the level at the start of a pino line whose level (`readPrefixLevel`) is
 * `level`, or -1 when the line does not go on that way.
 */
export function readPrefixTimeAfter(line: string, level: number): number {
  if (level < 0) return -1;
  // Where the level's digits end: pino writes a level as an integer, no leading zero (a line
  // with one is not read here, and its caller reads it whole instead).
  let at = LEVEL_PREFIX.length + 1;
  for (let rest = level; rest >= 10; rest = Math.floor(rest / 10)) at++;
  return line.startsWith(TIME_FIELD, at) ? readDigits(line, at + TIME_FIELD.length) : -1;
}

/** The time after the level at the start of a pino line, or -1 when the line does not start that way. */
export function readPrefixTime(line: string): number {
  return readPrefixTimeAfter(line, readPrefixLevel(line));
}

/** A parsed line's own field, or undefined when the line is not JSON or the field is not a number. */
function parsedNumberField(line: string, field: 'level' | 'time'): number | undefined {
  try {
    const value = (JSON.parse(line) as Record<string, unknown>)[field];
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A line's level: from its first bytes, else its parsed `level` field, else info. */
export function lineLevel(line: string): number {
  const level = readPrefixLevel(line);
  return level >= 0 ? level : (parsedNumberField(line, 'level') ?? LEVELS.info);
}

/** A line's time: from its first bytes, else its parsed `time` field, else now. */
export function lineTime(line: string): number {
  const time = readPrefixTime(line);
  return time >= 0 ? time : (parsedNumberField(line, 'time') ?? Date.now());
}
