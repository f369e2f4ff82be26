import { AsyncLocalStorage } from 'node:async_hooks';
import { unreadable } from '../wire/serialized-error.js';

// Request-scoped fields (request id, user…) that ride along on every line logged inside
// withLogContext, across awaits.

/**
 * One opened context: its fields, and room for what the line writer keeps about them. The frame,
 * not the fields object, is what AsyncLocalStorage holds, so that room is a field declared
 * up front rather than a member added to the context for each request.
 */
export class ContextFrame {
  /** The context's fields as JSON text, kept here by src/line/context-text.ts. */
  kept: unknown = undefined;
  constructor(readonly fields: Readonly<Record<string, unknown>>) {}
}

const storage = new AsyncLocalStorage<ContextFrame>();

/**
 * Runs `fn` with `fields` added to every line logged inside it, including after `await`s.
 * Nested calls merge, inner fields winning.
 */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return storage.run(new ContextFrame(layeredContext(storage.getStore()?.fields, ownFields(fields))), fn);
}

/**
 * `own` on top of a copy of `outer` (or `own` itself outside any context), both by descriptor,
 * not by value: request logging's lazy fields (the route, the user) are getters that must stay
 * getters, or a context opened before authentication ran would freeze them unset for the rest
 * of the request. Symbol keys (the request state, the buffering scope) are carried too.
 */
export function layeredContext(outer: Readonly<Record<string, unknown>> | undefined, own: object): Record<string, unknown> {
  if (outer === undefined) return own as Record<string, unknown>;
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(outer));
  return Object.defineProperties(copy, Object.getOwnPropertyDescriptors(own)) as Record<string, unknown>;
}

// Copying reads every field once; a Proxy or getter that throws must not make the call throw.
function ownFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return { ...fields };
  } catch (thrown) {
    return { logContext: unreadable(thrown) };
  }
}

/** The fields of the innermost withLogContext, or undefined outside one. */
export function currentLogContext(): Readonly<Record<string, unknown>> | undefined {
  return storage.getStore()?.fields;
}

/** The innermost context's frame, or undefined outside one. */
export function currentContextFrame(): ContextFrame | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with exactly `fields` as the context object, not a merged copy, so getters on it
 * (request logging's route, known only once the framework has matched one) are read per line.
 * Internal: request logging uses it; apps use withLogContext.
 */
export function runInLogContext<T>(fields: Readonly<Record<string, unknown>>, fn: () => T): T {
  return storage.run(new ContextFrame(fields), fn);
}

/** Enters `frame` again (a request's, from an event that fired outside it), keeping what is kept on it. */
export function runInContextFrame<T>(frame: ContextFrame, fn: () => T): T {
  return storage.run(frame, fn);
}
