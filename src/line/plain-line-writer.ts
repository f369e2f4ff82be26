import { tracingChannel } from 'node:diagnostics_channel';
import pino, { type Logger } from 'pino';
import { flatMembers, quoteAsPino } from './flat-json-members.js';

// pino's asJson turns a line's fields into text one key at a time, looking each up in its
// serializer and stringifier tables and joining the parts. For a call the guard has made safe
// (plain data, copied) and a logger with no table entry that could apply, the same text is made
// here for less: a flat object's members directly (flat-json-members.ts), anything nested by one
// JSON.stringify of the whole. Anything else goes through pino's own asJson.

type Internals = Record<symbol, unknown>;
type Mixin = (fields: object, level: number, logger: Logger) => object;
type MergeStrategy = (fields: object, mixed: object) => object;
type StreamWriteHook = (line: string) => string;

/**
 * Where a log formatter may keep its other form (src/line/line-enrichment.ts): given a line's
 * fields, the text of the log context's members to write before them, the fields being written
 * as they are; or, when the context cannot go ahead as text, the whole line as an object, as the
 * formatter itself returns it.
 */
export const CONTEXT_TEXT_SPLIT = Symbol('contextTextSplit');
export type SplitLogFormatter = (fields: Record<string, unknown>) => string | Record<string, unknown>;
type LogFormatter = ((fields: object) => object) & { [CONTEXT_TEXT_SPLIT]?: SplitLogFormatter };

const {
  asJsonSym,
  chindingsSym,
  endSym,
  formattersSym,
  hooksSym,
  lsCacheSym,
  messageKeySym,
  mixinSym,
  needsMetadataGsym,
  nestedKeySym,
  serializersSym,
  streamSym,
  stringifiersSym,
  timeSliceIndexSym,
  timeSym,
  writeSym,
} = pino.symbols;
// Not in pino's type declarations, but in pino.symbols with the rest.
const { mixinMergeStrategySym } = pino.symbols as unknown as Record<string, symbol>;

/** pino's serializer for `err`, once the guard has serialized errors: the value as it is. */
const keepValue = (value: unknown): unknown => value;

/** The root's serializers: only `err`, kept as the guard made it (errors arrive serialized). */
export const GUARDED_SERIALIZERS: Readonly<Record<string, (value: unknown) => unknown>> = Object.freeze({ err: keepValue });

// Set on the root's serializer and stringifier tables when no entry of theirs changes a field,
// pointing at the table itself: pino copies a table's symbols into a child's own table (a child
// given serializers or redact paths), where the mark then points elsewhere.
const PLAIN_TABLE = Symbol('plainTable');
// pino traces asJson on this channel; a subscriber expects to see every line go through it.
const asJsonChannel = tracingChannel('pino_asJson');

// pino's default: the line's own fields win over the mixin's.
const mergeMixin: MergeStrategy = (fields, mixed) => Object.assign(mixed, fields);

const epochTime = pino.stdTimeFunctions.epochTime;
let lastEpochMs = 0;
let lastEpochText = '';

/** pino's default timestamp (`,"time":<epoch ms>`), its text made once a millisecond rather than once a line. */
function epochTimeText(): string {
  const now = Date.now();
  if (now !== lastEpochMs) {
    lastEpochMs = now;
    lastEpochText = `,"time":${now}`;
  }
  return lastEpochText;
}

/** Marks `root`'s serializer and stringifier tables when they change no field, so writePlainLine may skip them. */
export function markPlainTables(root: Logger): void {
  const self = root as unknown as Internals;
  const serializers = self[serializersSym] as Record<PropertyKey, unknown> | undefined;
  const stringifiers = self[stringifiersSym] as Record<PropertyKey, unknown> | undefined;
  if (serializers === undefined || stringifiers === undefined || Reflect.ownKeys(stringifiers).length > 0) return;
  const keys = Reflect.ownKeys(serializers);
  if (keys.length !== 1 || serializers.err !== keepValue) return;
  serializers[PLAIN_TABLE] = serializers;
  stringifiers[PLAIN_TABLE] = stringifiers;
}

/**
 * Writes the line of `logger.<level>(fields, message)` as pino's write would, for fields the
 * guard has already copied and made safe: the same mixin, log formatter, metadata and
 * streamWrite hook, and the same text.
 */
export function writePlainLine(logger: Logger, fields: Record<string, unknown>, message: string, level: number): void {
  const self = logger as unknown as Internals;
  if (!isPlain(self)) {
    (self[writeSym] as (fields: object, message: string, level: number) => void).call(logger, fields, message, level);
    return;
  }
  const timestamp = self[timeSym] as () => string;
  const time = timestamp === epochTime ? epochTimeText() : timestamp();
  const mixin = self[mixinSym] as Mixin | undefined;
  let line = fields;
  if (mixin) {
    const merge = (self[mixinMergeStrategySym as symbol] as MergeStrategy | undefined) ?? mergeMixin;
    line = merge(line, mixin(line, level, logger)) as Record<string, unknown>;
  }
  const format = (self[formattersSym] as { log?: LogFormatter }).log;
  const stream = self[streamSym] as { write(line: string): unknown; [key: symbol]: unknown } & Record<string, unknown>;
  const needsMetadata = stream[needsMetadataGsym] === true;
  // A stream given each line's object as metadata gets the whole line; any other the context as text.
  const split = needsMetadata ? undefined : format?.[CONTEXT_TEXT_SPLIT];
  let contextText = '';
  if (split) {
    const formatted = split(line);
    if (typeof formatted === 'string') contextText = formatted;
    else line = formatted;
  } else if (format) line = format(line) as Record<string, unknown>;
  // pino's asJson has the fallbacks for what the text here cannot write; the context goes to it as fields.
  const text =
    lineText(self, line, message, level, time, contextText) ??
    asJsonOf(self, contextText === '' ? line : ((format as LogFormatter)(line) as Record<string, unknown>), message, level, time);
  if (needsMetadata) {
    stream.lastLevel = level;
    stream.lastObj = line;
    stream.lastMsg = message;
    stream.lastTime = time.slice(self[timeSliceIndexSym] as number);
    stream.lastLogger = logger;
  }
  const hook = (self[hooksSym] as { streamWrite?: StreamWriteHook }).streamWrite;
  stream.write(hook ? hook(text) : text);
}

/** No serializer or stringifier of pino's could apply to a field, no nested key, no tracer. */
function isPlain(self: Internals): boolean {
  return isPlainTable(self[serializersSym]) && isPlainTable(self[stringifiersSym]) && !self[nestedKeySym] && !asJsonChannel.hasSubscribers;
}

/** How JSON.stringify writes a surrogate (it escapes only lone ones; a text's own backslash becomes two). */
const SURROGATE_ESCAPE = '\\ud';

function isPlainTable(table: unknown): boolean {
  return (table as Record<symbol, unknown>)[PLAIN_TABLE] === table;
}

/** The line's text, or undefined when only pino's asJson can write it. `contextText` goes before the fields. */
function lineText(
  self: Internals,
  fields: Record<string, unknown>,
  message: string,
  level: number,
  time: string,
  contextText: string,
): string | undefined {
  const head = `${(self[lsCacheSym] as Record<number, string>)[level]}${time}${self[chindingsSym] as string}${contextText}`;
  const tail = `,"${self[messageKeySym] as string}":${quoteAsPino(message)}${self[endSym] as string}`;
  // A flat object's members are written here; with a nested object one JSON.stringify of the
  // whole is cheaper than pino's stringify per member.
  const flat = flatMembers(fields);
  if (flat !== undefined) return `${head}${flat}${tail}`;
  let json: string | undefined;
  // JSON.stringify would call a toJSON of the fields object itself; pino reads its keys. (The
  // message is not added to the fields to share the call: a member added to the guard's copy
  // takes V8's slower paths; docs/performance.md has the figure.)
  if (typeof fields.toJSON !== 'function') {
    try {
      json = JSON.stringify(fields);
    } catch {
      // A cycle or a BigInt the formatter or mixin brought: pino's asJson has its fallbacks.
    }
  }
  // JSON.stringify escapes a lone surrogate (`\ud800`), which a reader parses back into one;
  // pino writes it raw and the UTF-8 encoder makes it U+FFFD. Such lines keep pino's text.
  // The formatter and mixin ran already: pino's asJson must not run them again.
  if (json === undefined || json.includes(SURROGATE_ESCAPE)) return undefined;
  return `${head}${json.length > 2 ? `,${json.slice(1, -1)}` : ''}${tail}`;
}

// pino's asJson applies the log formatter itself: it is given one that returns the line as it is.
function asJsonOf(self: Internals, fields: Record<string, unknown>, message: string, level: number, time: string): string {
  const formatters = self[formattersSym] as { log?: unknown };
  const format = formatters.log;
  formatters.log = undefined;
  try {
    return (self[asJsonSym] as (fields: object, message: string, level: number, time: string) => string).call(
      self,
      fields,
      message,
      level,
      time,
    );
  } finally {
    formatters.log = format;
  }
}
