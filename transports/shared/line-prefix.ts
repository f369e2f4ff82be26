// pino writes every line as {"level":N,"time":N,...}. The router reads the level and the
// CloudWatch sink the time of every line, so both are read here digit by digit, without a
// RegExp match object, a Number() of a substring or a result object per line.

const LEVEL_PREFIX = '{"level":';
const TIME_FIELD = ',"time":';
const ZERO = 48;
const NINE = 57;

/** Digits from `at` as a number, or -1 when there is none; `end` is set to the first index past them. */
function readDigits(line: string, at: number, end: { at: number }): number {
  let value = 0;
  let i = at;
  for (; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code < ZERO || code > NINE) break;
    value = value * 10 + (code - ZERO);
  }
  end.at = i;
  return i === at ? -1 : value;
}

const scratch = { at: 0 };

/** The level at the start of a pino line, or -1 when the line does not start that way. */
export function readPrefixLevel(line: string): number {
  if (!line.startsWith(LEVEL_PREFIX)) return -1;
  return readDigits(line, LEVEL_PREFIX.length, scratch);
}

/** The time after the level at the start of a pino line, or -1 when the line does not start that way. */
export function readPrefixTime(line: string): number {
  if (readPrefixLevel(line) < 0 || !line.startsWith(TIME_FIELD, scratch.at)) return -1;
  return readDigits(line, scratch.at + TIME_FIELD.length, scratch);
}
