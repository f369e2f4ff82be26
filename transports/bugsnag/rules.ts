import type { BugsnagRule } from '../../src/wire/sink-options.js';
import type { EventSpec } from './event.js';

// Per-error-class rules, as a Python service's before_notify would apply them: the first
// rule that matches an event decides. Pure: no I/O.

export interface CompiledRule {
  rule: BugsnagRule;
  pattern: RegExp | undefined;
}

export function compileRules(rules: readonly BugsnagRule[]): CompiledRule[] {
  return rules.map((rule) => ({ rule, pattern: rule.messageMatches === undefined ? undefined : new RegExp(rule.messageMatches) }));
}

function matches({ rule, pattern }: CompiledRule, event: EventSpec): boolean {
  if (rule.errorClass !== undefined && rule.errorClass !== event.errors.type) return false;
  if (pattern !== undefined && !pattern.test(event.errors.message)) return false;
  return true;
}

/** The event with the first matching rule applied, or undefined when that rule says ignore. */
export function applyRules(rules: readonly CompiledRule[], event: EventSpec): EventSpec | undefined {
  const found = rules.find((compiled) => matches(compiled, event));
  if (!found) return event;
  const { rule } = found;
  if (rule.ignore) return undefined;
  const next: EventSpec = { ...event };
  if (rule.severity !== undefined && rule.severity !== event.severity) {
    next.severity = rule.severity;
    next.severityReason = { type: 'userSpecifiedSeverity' };
  }
  if (rule.unhandled !== undefined) next.unhandled = rule.unhandled;
  if (rule.groupingHash !== undefined) next.groupingHash = rule.groupingHash === 'message' ? event.errors.message : rule.groupingHash;
  return next;
}
