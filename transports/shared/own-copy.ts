// V8 keeps a substring as a view into the string it was cut from. line-source.ts cuts each line
// out of a chunk of the worker's shared buffer, so a line held in a ring (Bugsnag's breadcrumbs)
// would keep that whole chunk alive.

/** `text` in a string of its own, so holding it holds nothing else. */
export function ownCopy(text: string): string {
  // Concatenating then slicing makes V8 flatten into a new string of text.length + 1 chars.
  return ` ${text}`.slice(1);
}
