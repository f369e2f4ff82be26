import { hostname } from 'node:os';
import Bugsnag, { type Event as BugsnagEvent } from '@bugsnag/js';
import type { SerializedError } from '../../src/wire/serialized-error.js';
import { mayHaveArrived } from '../shared/unanswered.js';
import { createAttemptAgent, requestLeft } from './attempt-agent.js';
import type { BreadcrumbSpec } from './breadcrumbs.js';
import { type EventSpec, stripFileUrls } from './event.js';

// The only file that imports @bugsnag/js. The client runs here, in the log worker, with
// everything that would act on the worker itself turned off: its own process hooks would
// watch the worker, not the app, and its crash handler would only end the worker.

/** One entry of a sessions payload. */
export interface SessionCount {
  /** The minute the sessions started in (ISO 8601, seconds zeroed). */
  startedAt: string;
  sessionsStarted: number;
}

export interface NotifierOptions {
  apiKey: string;
  releaseStage: string;
  appVersion?: string;
  endpoints?: { notify: string; sessions: string };
  redactKeyPatterns: string[];
  maxBreadcrumbs: number;
}

/** What one delivery attempt came to. */
export type SendOutcome =
  | { ok: true }
  /** `unanswered`: no HTTP answer came after the request left, so Bugsnag may have stored the event. */
  | { ok: false; retryable: boolean; reason: string; unanswered: boolean };

/** An event built once and sent (again, on retry) as the same payload. */
export interface PreparedEvent {
  /** One attempt, bounded as a whole (queueing for a socket, connect, answer and body) by `timeoutMs`. */
  send(timeoutMs: number): Promise<SendOutcome>;
}

export type OnErrorHook = (event: BugsnagEvent) => boolean | undefined;

/** The parts of the client that are not in its public types: building an event with an accurate severity reason, and its delivery. */
interface ClientInternals {
  _notify(event: BugsnagEvent, onError: (event: BugsnagEvent) => boolean | undefined, done: (error: unknown) => void): void;
  _delivery: {
    sendEvent(payload: unknown, done: (error: unknown) => void): void;
    sendSession(payload: unknown, done: (error: unknown) => void): void;
  };
  _notifier: unknown;
  _config: { releaseStage: string; appVersion?: string; appType?: string; hostname?: string };
}
interface EventStatics {
  Event: { create(error: Error, tolerateNonErrors: boolean, handledState: unknown, component: string, framesToSkip: number): BugsnagEvent };
  Breadcrumb: new (message: string, metadata: Record<string, unknown>, type: string, timestamp: Date) => unknown;
}

export function createNotifier(options: NotifierOptions, onErrorHook: () => OnErrorHook | undefined) {
  const attempts = createAttemptAgent(!options.endpoints?.notify.startsWith('http:'), { keepAlive: true, maxSockets: 8 });
  /** Ends every attempt still running (at close), so no socket outlives the sink. */
  const running = new Set<() => void>();
  const client = Bugsnag.createClient({
    apiKey: options.apiKey,
    releaseStage: options.releaseStage,
    ...(options.appVersion ? { appVersion: options.appVersion } : {}),
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    autoDetectErrors: false,
    autoTrackSessions: false,
    sendCode: false,
    enabledBreadcrumbTypes: [],
    maxBreadcrumbs: Math.max(options.maxBreadcrumbs, 1),
    redactedKeys: options.redactKeyPatterns.map((source) => new RegExp(source, 'i')),
    logger: null,
    projectRoot: process.cwd(),
    agent: attempts.agent,
  }) as unknown as ClientInternals;
  const statics = Bugsnag as unknown as EventStatics;
  const missing = missingInternals(client, statics);
  if (missing.length > 0) {
    throw new Error(
      `@bugsnag/js no longer has ${missing.join(', ')}, which logferry's Bugsnag sink uses (package.json pins the version it was written against)`,
    );
  }

  // _notify builds the payload once (callbacks, app, breadcrumbs) and hands it to delivery:
  // it is captured here, per event, and every attempt (retries too) sends that same payload.
  const realDelivery = client._delivery;
  const captures = new WeakMap<object, (payload: unknown) => void>();
  client._delivery = {
    sendSession: (payload, done) => realDelivery.sendSession(payload, done),
    sendEvent(payload, done) {
      const event = (payload as { events?: object[] }).events?.[0];
      const capture = event ? captures.get(event) : undefined;
      if (!capture) return realDelivery.sendEvent(payload, done);
      capture(payload);
      done(null);
    },
  };

  /** Builds the event; undefined when an onError hook decided not to send it. */
  function prepare(spec: EventSpec, breadcrumbs: BreadcrumbSpec[]): Promise<PreparedEvent | undefined> {
    const event = statics.Event.create(
      rebuildError(spec.errors),
      true,
      { severity: spec.severity, unhandled: spec.unhandled, severityReason: spec.severityReason },
      'logferry',
      0,
    );
    if (spec.context) event.context = spec.context;
    if (spec.groupingHash) event.groupingHash = spec.groupingHash;
    event.setUser(spec.user.id, spec.user.email, spec.user.name);
    for (const [section, values] of Object.entries(spec.metadata)) event.addMetadata(section, values as Record<string, unknown>);
    if (spec.request) event.request = { ...event.request, ...spec.request } as BugsnagEvent['request'];
    if (spec.correlation) event.setTraceCorrelation(spec.correlation.traceId, spec.correlation.spanId);
    // The client has no session of its own (sessions are the app's requests): the event
    // carries its request's, with that session's counts, as a session-tracking client's would.
    if (spec.session?.events) (event as unknown as { _session: unknown })._session = spec.session;
    const onError = (built: BugsnagEvent): boolean | undefined => {
      built.breadcrumbs = breadcrumbs.map(
        (crumb) => new statics.Breadcrumb(crumb.message, crumb.metadata, 'log', crumb.timestamp),
      ) as BugsnagEvent['breadcrumbs'];
      return onErrorHook()?.(built);
    };
    return new Promise((resolve) => {
      let payload: unknown;
      captures.set(event, (captured) => {
        payload = captured;
      });
      client._notify(event, onError, () => {
        captures.delete(event);
        resolve(payload === undefined ? undefined : { send: (timeoutMs) => sendPayload(payload, timeoutMs) });
      });
    });
  }

  function sendPayload(payload: unknown, timeoutMs: number): Promise<SendOutcome> {
    return attempt((done) => realDelivery.sendEvent(payload, done), timeoutMs);
  }

  /** Sends session counts as @bugsnag/js's session tracker builds its payload, through its own delivery. */
  function sendSessions(sessionCounts: SessionCount[], timeoutMs: number): Promise<SendOutcome> {
    const payload = {
      notifier: client._notifier,
      // As @bugsnag/js's server session delegate sends it: the host and the runtime.
      device: { hostname: client._config.hostname ?? hostname(), runtimeVersions: { node: process.versions.node } },
      app: { releaseStage: client._config.releaseStage, version: client._config.appVersion, type: client._config.appType },
      sessionCounts,
    };
    return attempt((done) => realDelivery.sendSession(payload, done), timeoutMs);
  }

  /** One delivery attempt of the notifier's (`send` starts exactly one request), as an outcome. */
  function attempt(send: (done: (error: unknown) => void) => void, timeoutMs: number): Promise<SendOutcome> {
    return new Promise((resolve) => {
      let finished = false;
      const finish = (outcome: SendOutcome): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        running.delete(abort);
        resolve(outcome);
      };
      // The notifier sets no request timeout: the whole attempt is bounded here, and a request
      // that runs out is destroyed, which frees its socket (or its place in the agent's queue).
      const abort = (): void => {
        finish({ ok: false, retryable: true, reason: `no answer within ${timeoutMs} ms`, unanswered: requestLeft(request) });
        request?.destroy();
      };
      const timer = setTimeout(abort, timeoutMs);
      running.add(abort);
      const request = attempts.capture(() =>
        send((error) => {
          if (!error) return finish({ ok: true });
          const status = answeredStatus(error);
          finish({ ok: false, retryable: isRetryable(status), reason: describe(error), unanswered: mayHaveArrived(error, status) });
        }),
      );
    });
  }

  /** Ends every attempt in flight now, as if each had run out of time. */
  function abortAll(): void {
    for (const abort of [...running]) abort();
  }

  return { prepare, abortAll, sendSessions };
}

export type Notifier = ReturnType<typeof createNotifier>;

/**
 * The internals this file relies on that a client (and the module) lacks, by name: `_notify`,
 * `_delivery.sendEvent`, `Event.create`, `Breadcrumb`. They are not in @bugsnag/js's public
 * types, so the version is pinned, and a test runs this against the installed copy.
 */
export function missingInternals(client: unknown, module: unknown = Bugsnag): string[] {
  const internals = client as Partial<ClientInternals> | undefined;
  const statics = module as Partial<EventStatics> | undefined;
  const missing: string[] = [];
  if (typeof internals?._notify !== 'function') missing.push('client._notify');
  if (typeof internals?._delivery?.sendEvent !== 'function') missing.push('client._delivery.sendEvent');
  if (typeof internals?._delivery?.sendSession !== 'function') missing.push('client._delivery.sendSession');
  if (typeof statics?.Event?.create !== 'function') missing.push('Event.create');
  if (typeof statics?.Breadcrumb !== 'function') missing.push('Breadcrumb');
  return missing;
}

/** A real Error with the app's class, message and stack, so Bugsnag parses the app's frames, not the worker's. */
export function rebuildError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.type;
  error.stack = stripFileUrls(serialized.stack ?? `${serialized.type}: ${serialized.message}`);
  const cause = serialized.cause;
  if (typeof cause === 'object' && cause !== null && typeof (cause as SerializedError).type === 'string') {
    (error as { cause?: unknown }).cause = rebuildError(cause as SerializedError);
  } else if (cause !== undefined) {
    (error as { cause?: unknown }).cause = typeof cause === 'string' ? cause : JSON.stringify(cause);
  }
  return error;
}

function describe(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? 'unknown';
}

/** The HTTP status of an answered failure; the notifier's delivery reports it only in the message. */
function answeredStatus(error: unknown): number | undefined {
  const status = /Bad statusCode from API: (\d{3})/.exec(describe(error))?.[1];
  return status === undefined ? undefined : Number(status);
}

/** 4xx answers (but 408 and 429) mean the payload itself was refused: sending it again will not help. */
function isRetryable(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 408 || status === 429;
}
