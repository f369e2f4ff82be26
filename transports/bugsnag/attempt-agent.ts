import type { ClientRequest } from 'node:http';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

// @bugsnag/js's delivery makes its request itself and hands back no handle to it, and sets no
// timeout: an attempt that gets no answer holds its keep-alive socket for good, and once every
// socket is held, later attempts queue in the agent and are never sent. The agent is the one
// thing of ours that request passes through: Node calls its addRequest() synchronously while
// the request is built (the hook proxy agents such as agent-base rely on), so the request made
// during one sendEvent() call can be captured there, and destroyed when its attempt runs out.

type AddRequest = (request: ClientRequest, options: unknown) => void;

/** A keep-alive agent that hands each new request to `onRequest`, when one is set. */
export interface AttemptAgent {
  readonly agent: Agent;
  /** Runs `send` (which must start exactly one request synchronously) and returns that request, if it started one. */
  capture(send: () => void): ClientRequest | undefined;
}

export function createAttemptAgent(secure: boolean, options: { keepAlive: boolean; maxSockets: number }): AttemptAgent {
  const agent = secure ? new HttpsAgent(options) : new Agent(options);
  const original = (agent as unknown as { addRequest: AddRequest }).addRequest;
  if (typeof original !== 'function') throw new Error('http.Agent has no addRequest(): this Node version cannot bound Bugsnag attempts');
  let onRequest: ((request: ClientRequest) => void) | undefined;
  (agent as unknown as { addRequest: AddRequest }).addRequest = function addRequest(request, requestOptions) {
    onRequest?.(request);
    return original.call(this, request, requestOptions);
  };
  return {
    agent,
    capture(send) {
      let captured: ClientRequest | undefined;
      onRequest = (request) => {
        captured ??= request;
      };
      try {
        send();
      } finally {
        onRequest = undefined;
      }
      return captured;
    },
  };
}

/** Whether a request had left: it had a connected socket (a request still queued in the agent was never sent). */
export function requestLeft(request: ClientRequest | undefined): boolean {
  const socket = request?.socket;
  return socket !== null && socket !== undefined && !socket.connecting;
}
