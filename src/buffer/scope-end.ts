import { currentLogScope, type LogScope } from '../context/log-scope.js';
import { destinationOf } from '../root/destination.js';
import { countBuffered } from './buffer-stats.js';

// What happens to a scope's held lines: written, in order, when the scope fails (each with
// `buffered: true`, the first with how many were dropped for the cap), or discarded when it ends.

/** Writes what `scope` holds, oldest first, to the destination of the logger that held each line. */
export function writeHeld(scope: LogScope): void {
  const { held, dropped } = takeHeld(scope);
  for (let i = 0; i < held.length; i++) {
    const line = held[i] as LogScope['held'][number];
    const extra = i === 0 && dropped > 0 ? `,"buffered":true,"bufferDropped":${dropped}` : ',"buffered":true';
    // The destination is read now, not when the line was held: it may have been swapped since (the worker failed).
    destinationOf(line.logger)?.write(withMembers(line.text, extra));
  }
  countBuffered('bufferWritten', held.length);
}

/** Called before every line at error or above: the current scope's held lines go first. */
export function writeHeldBeforeError(): void {
  const scope = currentLogScope();
  if (scope !== undefined && scope.held.length > 0) writeHeld(scope);
}

/** Ends `scope`: a failed one writes what it holds first; either way nothing is held any more. */
export function endLogScope(scope: LogScope, failed: boolean): void {
  if (scope.ended) return;
  if (failed && scope.held.length > 0) writeHeld(scope);
  scope.ended = true;
  countBuffered('bufferDiscarded', takeHeld(scope).held.length);
}

/** Empties `scope`, returning what it held and how many lines its cap had dropped. */
function takeHeld(scope: LogScope): { held: LogScope['held']; dropped: number } {
  const { held, dropped } = scope;
  scope.held = [];
  scope.heldBytes = 0;
  scope.dropped = 0;
  return { held, dropped };
}

/** The line's JSON with `members` added as its last members. */
function withMembers(text: string, members: string): string {
  const end = text.lastIndexOf('}');
  return end < 0 ? text : `${text.slice(0, end)}${members}${text.slice(end)}`;
}
