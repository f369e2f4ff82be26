import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback.js';

// A local stand-in for Bugsnag's notify and sessions endpoints. It checks what the Error
// Reporting API documents (headers, and the event's shape), records what it received, and
// can be told to be slow, fail with 5xx, drop connections, lose its answers, or leave requests
// unanswered with their connection open. Tests and the demo use it.

export interface ReceivedEvent {
  exceptions: Array<{
    errorClass: string;
    message: string;
    type?: string;
    stacktrace: Array<{ file?: string; lineNumber?: number; method?: string; inProject?: boolean }>;
  }>;
  severity: string;
  severityReason: { type: string; attributes?: Record<string, string> };
  unhandled: boolean;
  context?: string;
  groupingHash?: string;
  user?: { id?: string; email?: string; name?: string };
  metaData?: Record<string, Record<string, unknown>>;
  breadcrumbs?: Array<{ name: string; type: string; timestamp: string; metaData?: Record<string, unknown> }>;
  app?: { releaseStage?: string; version?: string };
  request?: { url?: string; httpMethod?: string; headers?: Record<string, unknown>; clientIp?: string; referer?: string };
  session?: { id: string; startedAt: string; events: { handled: number; unhandled: number } };
  correlation?: { traceId: string; spanId?: string };
}

/** A sessions payload (Session Tracking API, payload version 1) with aggregated counts. */
export interface ReceivedSessions {
  notifier: { name: string; version: string };
  app: { releaseStage?: string; version?: string };
  device?: { hostname?: string; runtimeVersions?: Record<string, string> };
  sessionCounts: Array<{ startedAt: string; sessionsStarted: number }>;
}

export interface ReceivedPayload {
  apiKey: string;
  raw: string;
  events: ReceivedEvent[];
}

const SEVERITIES = new Set(['error', 'warning', 'info']);

export class LocalBugsnag {
  readonly payloads: ReceivedPayload[] = [];
  readonly sessions: ReceivedSessions[] = [];
  /** What a payload got wrong against the documented API: a correct notifier causes none. */
  readonly problems: string[] = [];
  delayMs = 0;
  requests = 0;
  #failUntil = 0;
  #dropNext = 0;
  #loseAnswersMs = 0;
  #loseAnswersUntil: number | undefined;
  #leaveUnanswered = 0;
  /** Notify requests stored and then left without an answer, their connections held open. */
  unanswered = 0;
  #server: Server | undefined;
  #url = '';

  get notifyUrl(): string {
    return `${this.#url}/notify`;
  }

  get sessionsUrl(): string {
    return `${this.#url}/sessions`;
  }

  get events(): ReceivedEvent[] {
    return this.payloads.flatMap((payload) => payload.events);
  }

  /** Sessions counted in every accepted sessions payload. */
  get sessionsStarted(): number {
    return this.sessions.reduce((sum, payload) => sum + payload.sessionCounts.reduce((n, count) => n + count.sessionsStarted, 0), 0);
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#url = await listenOnLoopback(this.#server);
    return this;
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  /** Answer 503 to every request for `ms`. */
  failFor(ms: number): void {
    this.#failUntil = Date.now() + ms;
  }

  dropNext(count: number): void {
    this.#dropNext = count;
  }

  /**
   * For `ms` from the next event request on (so a child's start-up time does not use up the
   * window), store each event request as usual, then close the connection without an answer.
   */
  loseAnswersFor(ms: number): void {
    this.#loseAnswersMs = ms;
    this.#loseAnswersUntil = undefined;
  }

  /**
   * Store the next `count` notify requests as usual, then never answer them: the connection stays
   * open until the client gives up (or the receiver stops), as behind a proxy that hangs.
   */
  leaveUnanswered(count: number): void {
    this.#leaveUnanswered = count;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.#dropNext > 0) {
      this.#dropNext--;
      req.socket.destroy();
      return;
    }
    if (Date.now() < this.#failUntil) {
      res.writeHead(503).end('unavailable');
      return;
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', this.#url).pathname;
    const problems = this.#checkHeaders(req, path === '/sessions' ? '1' : '4');
    let body: { events?: ReceivedEvent[]; apiKey?: string } & Partial<ReceivedSessions> = {};
    try {
      body = JSON.parse(raw);
    } catch {
      problems.push('body is not JSON');
    }
    if (path === '/sessions') {
      problems.push(...this.#checkSessions(body));
      if (problems.length === 0) this.sessions.push(body as ReceivedSessions);
    } else if (path === '/notify') {
      problems.push(...this.#checkEvents(body.events));
      if (problems.length === 0) this.payloads.push({ apiKey: String(req.headers['bugsnag-api-key']), raw, events: body.events ?? [] });
    } else {
      problems.push(`unknown path ${path}`);
    }
    this.problems.push(...problems);
    if (path === '/notify' && problems.length === 0 && this.#leaveUnanswered > 0) {
      this.#leaveUnanswered--;
      this.unanswered++;
      return;
    }
    if (path === '/notify' && this.#losesAnswer()) req.socket.destroy();
    else if (problems.length > 0) res.writeHead(400, { 'content-type': 'text/plain' }).end(problems.join('\n'));
    else res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
  }

  #losesAnswer(): boolean {
    if (this.#loseAnswersMs === 0) return false;
    this.#loseAnswersUntil ??= Date.now() + this.#loseAnswersMs;
    return Date.now() < this.#loseAnswersUntil;
  }

  #checkHeaders(req: IncomingMessage, payloadVersion: string): string[] {
    const problems: string[] = [];
    if (!/^[0-9a-f]{32}$/i.test(String(req.headers['bugsnag-api-key'] ?? '')))
      problems.push('Bugsnag-Api-Key header missing or not 32 hex characters');
    if (req.headers['bugsnag-payload-version'] !== payloadVersion) problems.push(`Bugsnag-Payload-Version is not ${payloadVersion}`);
    const sentAt = String(req.headers['bugsnag-sent-at'] ?? '');
    if (Number.isNaN(Date.parse(sentAt)) || !sentAt.includes('T')) problems.push('Bugsnag-Sent-At is not an ISO 8601 time');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) problems.push('Content-Type is not application/json');
    return problems;
  }

  /** The documented sessions payload: notifier, app, and per-minute sessionCounts. */
  #checkSessions(body: Partial<ReceivedSessions>): string[] {
    const problems: string[] = [];
    if (typeof body.notifier?.name !== 'string' || typeof body.notifier.version !== 'string')
      problems.push('sessions: notifier name/version missing');
    if (typeof body.app !== 'object' || body.app === null) problems.push('sessions: app missing');
    if (!Array.isArray(body.sessionCounts) || body.sessionCounts.length === 0)
      return [...problems, 'sessions: sessionCounts missing or empty'];
    for (const count of body.sessionCounts) {
      const startedAt = Date.parse(count.startedAt);
      if (Number.isNaN(startedAt) || !count.startedAt.includes('T')) problems.push('sessions: startedAt is not an ISO 8601 time');
      else if (startedAt % 60_000 !== 0) problems.push('sessions: startedAt is not a whole minute');
      if (!Number.isInteger(count.sessionsStarted) || count.sessionsStarted < 1)
        problems.push('sessions: sessionsStarted is not a positive integer');
    }
    return problems;
  }

  #checkEventSession(session: NonNullable<ReceivedEvent['session']>): string[] {
    const problems: string[] = [];
    if (typeof session.id !== 'string' || session.id === '') problems.push('event session without id');
    if (Number.isNaN(Date.parse(session.startedAt))) problems.push('event session startedAt is not a time');
    const { handled, unhandled } = session.events ?? {};
    if (!Number.isInteger(handled) || !Number.isInteger(unhandled) || (handled as number) + (unhandled as number) < 1)
      problems.push('event session counts must be integers that include the event itself');
    return problems;
  }

  #checkEvents(events: ReceivedEvent[] | undefined): string[] {
    if (!Array.isArray(events) || events.length === 0) return ['events is missing or empty'];
    const problems: string[] = [];
    for (const event of events) {
      if (!Array.isArray(event.exceptions) || event.exceptions.length === 0) problems.push('event without exceptions');
      for (const exception of event.exceptions ?? []) {
        if (typeof exception.errorClass !== 'string' || exception.errorClass === '') problems.push('exception without errorClass');
        if (typeof exception.message !== 'string') problems.push('exception without message');
        if (!Array.isArray(exception.stacktrace)) problems.push('exception without stacktrace array');
      }
      if (!SEVERITIES.has(event.severity)) problems.push(`severity ${event.severity} is not error, warning or info`);
      if (typeof event.severityReason?.type !== 'string') problems.push('severityReason.type missing');
      if (typeof event.unhandled !== 'boolean') problems.push('unhandled is not a boolean');
      if (typeof event.app?.releaseStage !== 'string') problems.push('app.releaseStage missing');
      if (event.session !== undefined) problems.push(...this.#checkEventSession(event.session));
      for (const crumb of event.breadcrumbs ?? []) {
        if (typeof crumb.name !== 'string' || typeof crumb.type !== 'string' || Number.isNaN(Date.parse(crumb.timestamp)))
          problems.push('malformed breadcrumb');
      }
    }
    return problems;
  }
}

/** Runs `use` with a receiver of its own, stopped afterwards whatever happens, so tests can run side by side. */
export async function withReceiver<T>(use: (receiver: LocalBugsnag) => Promise<T>): Promise<T> {
  const receiver = await new LocalBugsnag().start();
  try {
    return await use(receiver);
  } finally {
    await receiver.stop();
  }
}
