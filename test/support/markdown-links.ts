// Reads Markdown as GitHub renders it, enough to check cross-references: the anchors its
// headings get, and the relative links it makes. Code blocks and code spans are skipped,
// because a link or heading shown as code is not one.

/**
 * The anchor GitHub gives a heading: lower case; only letters, marks, decimal and letter
 * numbers, connector punctuation (`_`), `-` and spaces kept (Ruby's `\p{Word}`, as GitHub's
 * renderer and github-slugger do); each space a hyphen.
 */
export function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** A heading's text as rendered: code spans, links, images, HTML tags and emphasis reduced to their text. */
export function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\*+/g, '')
    .trim();
}

/** Lines outside fenced code blocks, with their 1-based line numbers. */
function proseLines(markdown: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (opener?.[1]) {
      if (fence === undefined) fence = opener[1];
      else if (opener[1].startsWith(fence.charAt(0)) && opener[1].length >= fence.length) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ text, line: index + 1 });
  });
  return out;
}

/** Every anchor a document offers: its headings' slugs (repeats get -1, -2, …) and explicit `<a id|name>` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const slug = githubSlug(headingText(heading[1] ?? ''));
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
}

export interface MarkdownLink {
  target: string;
  line: number;
}

/** Inline links and images `[text](target)` and reference definitions `[label]: target`, outside code. */
export function linksOf(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = text.replace(/`+[^`]*`+/g, '');
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1] ?? '', line });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition?.[1]) links.push({ target: definition[1], line });
  }
  return links;
}

/** True for a link that leaves the repository (a URL with a scheme, or mailto:). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}
