import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

// A fault proxy for the chaos run: it sits between the client and a CloudWatch Logs endpoint and
// every 0.5 to 3 s switches, at random, to one way of failing as a network or a service does.
// Faults are applied per request, so the client meets each the way it would in production.

/**
 * `pass`: forwarded. `reset-before`: the connection is reset before anything is forwarded.
 * `reset-after`: forwarded (the endpoint may store it), then the connection is reset instead of
 * the answer. `5xx`: 500 or 503 without forwarding. `throttle`: 400 ThrottlingException without
 * forwarding. `hang`: nothing for 1 to 10 s, then forwarded. `cut-body`: forwarded, and the answer
 * is cut in half. `outage`: connections are refused (the port is closed).
 */
export type ProxyMode = 'pass' | 'reset-before' | 'reset-after' | '5xx' | 'throttle' | 'hang' | 'cut-body' | 'outage';

/**
 * One PutLogEvents request as the proxy saw it, for the chaos run's accounting: which lines it
 * carried, whether the endpoint stored it, and whether its answer reached the client whole.
 */
export interface PutAttempt {
  mode: ProxyMode;
  /** The seq of each event (`keep` of its message), or empty when the body never arrived whole. */
  seqs: string[];
  /** The body arrived whole. A client that was cut off or killed mid-upload sends less: nothing can be stored. */
  complete: boolean;
  /** The endpoint answered 2xx: the events are stored. */
  stored: boolean;
  /** The whole answer was written to the client's socket. */
  answered: boolean;
}

export const PROXY_MODES: readonly ProxyMode[] = ['pass', 'reset-before', 'reset-after', '5xx', 'throttle', 'hang', 'cut-body', 'outage'];

export class FaultProxy {
  mode: ProxyMode = 'pass';
  /** Requests seen in each mode. */
  readonly counts = new Map<ProxyMode, number>();
  /** Every PutLogEvents request, in the order they came. */
  readonly puts: PutAttempt[] = [];
  /** What to keep of each event's message (the chaos run keeps its seq). */
  keep: (message: string) => string = (message) => message;
  readonly #upstream: URL;
  readonly #random: () => number;
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  #switcher: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(upstream: string, random: () => number) {
    this.#upstream = new URL(upstream);
    // Seeded: every choice the proxy makes can be replayed from the seed.
    this.#random = random;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<this> {
    await this.#listen();
    return this;
  }

  /** Switches mode at random every 0.5 to 3 s (`faultShare`: how often a switch lands on a fault rather than pass). */
  startChaos(faultShare = 0.6): void {
    const next = (): void => {
      if (this.#stopped) return;
      const faults = PROXY_MODES.filter((mode) => mode !== 'pass');
      void this.#setMode(this.#random() < faultShare ? (faults[Math.floor(this.#random() * faults.length)] as ProxyMode) : 'pass');
      this.#switcher = setTimeout(next, 500 + Math.floor(this.#random() * 2500));
    };
    next();
  }

  /** Back to pass-through for good. */
  async calm(): Promise<void> {
    clearTimeout(this.#switcher);
    this.#switcher = undefined;
    await this.#setMode('pass');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#switcher);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }

  async #setMode(mode: ProxyMode): Promise<void> {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'outage' && was !== 'outage') {
      // A closed port: new connections are refused, and the open ones are cut.
      const server = this.#server;
      this.#server = undefined;
      for (const socket of this.#sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    } else if (mode !== 'outage' && was === 'outage' && !this.#stopped) {
      await this.#listen();
    }
  }

  async #listen(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.#port = address.port;
    this.#server = server;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    const put = String(req.headers['x-amz-target'] ?? '').endsWith('.PutLogEvents');
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      // The client went away mid-upload: an endpoint would not store a body cut short.
    }
    const mode = this.mode;
    this.counts.set(mode, (this.counts.get(mode) ?? 0) + 1);
    const attempt: PutAttempt = { mode, seqs: [], complete: req.complete, stored: false, answered: false };
    if (put) {
      this.puts.push(attempt);
      if (!req.complete) return;
      attempt.seqs = this.#seqsOf(Buffer.concat(chunks));
    } else if (!req.complete) return;
    if (mode === 'reset-before' || mode === 'outage') {
      req.socket.destroy();
      return;
    }
    if (mode === '5xx') {
      const status = this.#random() < 0.5 ? 500 : 503;
      this.#replyJson(res, status, { __type: 'ServiceUnavailableException', message: 'The service is unavailable' });
      attempt.answered = true;
      return;
    }
    if (mode === 'throttle') {
      this.#replyJson(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      attempt.answered = true;
      return;
    }
    if (mode === 'hang') await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(this.#random() * 9000)));
    let answer: { status: number; headers: Record<string, string>; body: Buffer };
    try {
      answer = await this.#forward(req, Buffer.concat(chunks));
    } catch {
      req.socket.destroy();
      return;
    }
    attempt.stored = answer.status >= 200 && answer.status < 300;
    if (mode === 'reset-after') {
      req.socket.destroy();
      return;
    }
    if (res.destroyed) return;
    if (mode === 'cut-body') {
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      setImmediate(() => req.socket.destroy());
      return;
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body, () => {
      // Written whole to the socket: the client reads it unless it is killed in the next instants.
      attempt.answered = true;
    });
  }

  #seqsOf(body: Buffer): string[] {
    try {
      const input = JSON.parse(body.toString('utf8')) as { logEvents?: Array<{ message?: string }> };
      return (input.logEvents ?? []).map((event) => this.keep(event.message ?? ''));
    } catch {
      return [];
    }
  }

  #forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      const upstream = request(
        { host: this.#upstream.hostname, port: this.#upstream.port, method: req.method, path: req.url, headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const kept: Record<string, string> = {};
            for (const key of ['content-type', 'x-amzn-requestid', 'x-amzn-errortype']) {
              const value = answer.headers[key];
              if (typeof value === 'string') kept[key] = value;
            }
            resolve({ status: answer.statusCode ?? 502, headers: kept, body: Buffer.concat(parts) });
          });
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  #replyJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }
}
