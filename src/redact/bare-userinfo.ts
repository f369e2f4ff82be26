// `user:pass@host` without a scheme (a connection string's tail, a bare endpoint), found by a
// scan rather than one regular expression: as a regex, every place a userinfo could start
// retried the rest of the text, so a long string of such places (`=a:=a:…`) took time
// quadratic in its length. Plain: no imports, so worker files may load it.

/** A run of the characters a userinfo and its host's first character can be made of. */
const RUN = /[^\s/?#]+/g;
/** What may come right before a bare userinfo (or a run's start, after whitespace or at the text's start). */
const STARTS_AFTER = new Set(['"', "'", '(', '<', '=', ',']);
/** What a user name cannot hold; of these, `:` ends it. */
const NOT_IN_USER = new Set(['"', "'", '<', '>', '@', ':']);
/** The first character of a host. */
const HOST_START = /[a-z0-9[]/i;

/**
 * `text` with each bare userinfo (a user name of at least one character, `:`, a password that
 * runs to the last `@` followed by a host in the same run of non-space characters) replaced
 * by `replacement` followed by `@`, or removed with its `@` when `replacement` is undefined.
 */
export function replaceBareUserinfo(text: string, replacement: string | undefined): string {
  return text.replace(RUN, (run: string, offset: number) => {
    const at = lastHostAt(run);
    if (at < 0) return run;
    const start = userStart(run, at, offset === 0 || /\s/.test(text[offset - 1] as string));
    if (start < 0) return run;
    return `${run.slice(0, start)}${replacement === undefined ? '' : `${replacement}@`}${run.slice(at + 1)}`;
  });
}

// The last `@` of the run that a host follows, or -1.
function lastHostAt(run: string): number {
  for (let at = run.lastIndexOf('@'); at >= 0; at = at === 0 ? -1 : run.lastIndexOf('@', at - 1)) {
    if (HOST_START.test(run[at + 1] ?? '')) return at;
  }
  return -1;
}

// The leftmost place before `at` where a user name starts that a `:` ends, or -1. A user name
// starts at the run's start (when `runStarts`), after a quote or `<` that ended the name before,
// or after `(`, `=` or `,` inside one.
function userStart(run: string, at: number, runStarts: boolean): number {
  let start = runStarts ? 0 : -1;
  for (let i = 0; i < at; i++) {
    const char = run[i] as string;
    if (NOT_IN_USER.has(char)) {
      if (char === ':' && start >= 0 && start < i) return start;
      start = char === '"' || char === "'" || char === '<' ? i + 1 : -1;
    } else if (start < 0 && STARTS_AFTER.has(char)) start = i + 1;
  }
  return -1;
}
