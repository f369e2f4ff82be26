import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { censorQuery, requestPath } from '../context/request-scope.js';
import { LogferryConfigError } from '../errors.js';
import { rootState } from '../loggers/build-root.js';
import { createKeyMatcher, type KeyMatcher } from '../redact/secret-keys.js';
import { LEVELS, type LevelName } from '../wire/protocol.js';
import { COMPLETION_FIELD } from '../wire/request-tab.js';

// The one line a tracked request ends with: its URL (secret query values censored), status,
// duration and what the app's options add, at the level they pick (or none: `silent`).

/** Levels of the completion line. */
export interface CompletionLevels {
  /** Responses below 500. Default: `info`. */
  success?: LevelName;
  /** 5xx responses. Default: `error`. */
  serverError?: LevelName;
  /** Requests the client aborted before the response was sent. Default: `info`. */
  aborted?: LevelName;
}

/** The completion line's level for one response, as pino-http's `customLogLevel`; `silent` logs none. */
export type CompletionLevelChooser<Request> = (req: Request, res: ServerResponse, error: unknown) => LevelName | 'silent' | undefined;

/** The options of the completion line, shared by every adapter. */
export interface CompletionOptions<Request> {
  /** Levels of the completion line. */
  levels?: CompletionLevels;
  /**
   * Picks the completion line's level per response, `silent` for none (skipping by status:
   * `(req, res) => res.statusCode === 404 ? 'silent' : undefined`). Undefined keeps `levels`.
   */
  customLogLevel?: CompletionLevelChooser<Request>;
  /** Fields added to the completion line, as pino-http's `customProps`: `(req, res) => ({ tenant })`. */
  customProps?: (req: Request, res: ServerResponse) => Record<string, unknown> | undefined;
}

/** What the completion line is logged from. */
export interface Completion<Request> {
  request: Request;
  raw: IncomingMessage;
  res: ServerResponse;
  durationMs: number;
  aborted: boolean;
}

/** Logs completion lines for one middleware or plugin instance. */
export function completionLogger<Request>(options: CompletionOptions<Request>, logger: () => Logger): (done: Completion<Request>) => void {
  const levels: Required<CompletionLevels> = {
    success: completionLevel('success', options.levels?.success ?? 'info'),
    serverError: completionLevel('serverError', options.levels?.serverError ?? 'error'),
    aborted: completionLevel('aborted', options.levels?.aborted ?? 'info'),
  };
  const { customLogLevel, customProps } = options;
  let isSecretKey: KeyMatcher | undefined;
  return ({ request, raw, res, durationMs, aborted }) => {
    const statusCode = res.statusCode;
    // pino-http's res.err: an error the app hung on the response, for the completion line.
    const error = (res as { err?: unknown }).err;
    let level: LevelName | 'silent' = aborted ? levels.aborted : statusCode >= 500 ? levels.serverError : levels.success;
    if (customLogLevel) level = chosenLevel(() => customLogLevel(request, res, error)) ?? level;
    if (level === 'silent') return;
    isSecretKey ??= createKeyMatcher(rootState().config.redactKeys);
    const line: Record<string, unknown> = {};
    if (customProps) addProps(line, () => customProps(request, res));
    line.url = censorQuery(requestPath(raw), isSecretKey);
    // An aborted request's res.statusCode is only the default (200) unless headers went out.
    if (!aborted || res.headersSent) line.statusCode = statusCode;
    line.durationMs = durationMs;
    line[COMPLETION_FIELD] = true;
    if (aborted) line.aborted = true;
    if (error !== undefined) line.err = error;
    logger()[level](line, aborted ? 'request aborted' : 'request completed');
  };
}

function chosenLevel(choose: () => unknown): LevelName | 'silent' | undefined {
  try {
    const level = choose();
    if (level === 'silent' || (typeof level === 'string' && Object.hasOwn(LEVELS, level))) return level as LevelName | 'silent';
  } catch {
    // A throwing chooser costs the line its custom level, never the line.
  }
  return undefined;
}

function addProps(line: Record<string, unknown>, props: () => Record<string, unknown> | undefined): void {
  try {
    const extra = props();
    if (typeof extra === 'object' && extra !== null) Object.assign(line, extra);
  } catch (error) {
    line.customPropsError = error instanceof Error ? error.message : String(error);
  }
}

function completionLevel(name: keyof CompletionLevels, level: unknown): LevelName {
  if (typeof level === 'string' && Object.hasOwn(LEVELS, level)) return level as LevelName;
  throw new LogferryConfigError(`requestLogging levels.${name}`, level, `use one of ${Object.keys(LEVELS).join(', ')}`);
}
