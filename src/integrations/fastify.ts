import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { currentLogContext } from '../context/log-context.js';
import { requestStateOf, runInRequest } from '../context/request-state.js';

export type { RequestUser } from '../context/request-state.js';
export type { CompletionLevelChooser, CompletionLevels } from '../request/completion-line.js';

import { createRequestTracker, isWellFormedRequestId, type RequestLoggingOptions } from '../request/request-tracker.js';

// logferry/fastify: request logging as a Fastify 5 plugin. The request logic lives in
// src/request/request-tracker.ts; this file only wires Fastify's hooks to it. Fastify is not
// imported: the plugin is typed by the few parts of Fastify it uses, so an app that does
// not use Fastify never loads it, and logferry does not depend on it.

/** The parts of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  /** Fastify's request id (its `genReqId`, or its `requestIdHeader`). */
  id?: unknown;
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
  ip?: string;
  routeOptions?: { url?: string };
}

/** The parts of a Fastify reply the plugin reads. */
export interface FastifyReplyLike {
  raw: ServerResponse;
}

type HookDone = (error?: Error) => void;

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addHook(
    name: 'onRequest' | 'preValidation',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: HookDone) => void,
  ): unknown;
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: Error, done: HookDone) => void): unknown;
}

/** Options of the Fastify plugin: `app.register(logferry, options)`. */
export type FastifyRequestLoggingOptions = RequestLoggingOptions<FastifyRequestLike>;

/** A Fastify plugin function, with fastify-plugin's markers set on it. */
export type LogferryFastifyPlugin = (
  instance: FastifyInstanceLike,
  options: FastifyRequestLoggingOptions,
  done: (error?: Error) => void,
) => void;

/**
 * Request logging for Fastify 5: the same request id, context, completion line, Bugsnag
 * request tab and session as `logferry/http`, and errors from handlers (Fastify's onError)
 * reported once as unhandled. Registered for the whole app, not only its own scope.
 */
const logferryFastify: LogferryFastifyPlugin = (instance, options, done) => {
  const tracker = createRequestTracker<FastifyRequestLike>(options);
  instance.addHook('onRequest', (request, reply, next) => {
    tracker.start(
      {
        request,
        raw: request.raw,
        res: reply.raw,
        framework: 'Fastify',
        route: request.routeOptions?.url,
        clientIp: () => request.ip ?? request.raw.socket?.remoteAddress,
        existingId: fastifyOwnId(request.id),
      },
      () => next(),
    );
  });
  // The body is read on socket events, outside the request's context: preValidation re-enters it
  // (a request without a body is still in it, and pays nothing).
  instance.addHook('preValidation', (request, _reply, next) => {
    const state = requestStateOf(request.raw);
    if (state === undefined || currentLogContext() === state.context) next();
    else runInRequest(state, next);
  });
  // onError runs before the app's setErrorHandler has chosen the status: the report waits for the response.
  instance.addHook('onError', (request, _reply, error, next) => {
    tracker.deferHandlerError(error, request.raw);
    next();
  });
  done();
};

/** Fastify's default ids (`req-1`, `req-2`…) count requests per process: logferry's own (the header, or a UUID) say more. */
const FASTIFY_DEFAULT_ID = /^req-[0-9a-z]+$/;

/**
 * Fastify's request.id when the app made it (Fastify's `genReqId`, or its `requestIdHeader`),
 * so Fastify's own lines and logferry's carry one id. A header's value is taken only when
 * well-formed, as logferry's own header is.
 */
function fastifyOwnId(id: unknown): string | undefined {
  if (typeof id === 'number') return String(id);
  return isWellFormedRequestId(id) && !FASTIFY_DEFAULT_ID.test(id) ? id : undefined;
}

// fastify-plugin's conventions without depending on it: hooks apply to the whole app
// (no encapsulation), and Fastify names the plugin and checks its version.
Object.assign(logferryFastify, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'logferry',
  [Symbol.for('plugin-meta')]: { name: 'logferry', fastify: '5.x' },
});

export default logferryFastify;
export { logferryFastify };
