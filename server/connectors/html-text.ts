// HTML to readable text for web.fetch: what a person would read on the page,
// without markup, scripts or styles. Deliberately simple (no DOM, no CSS): block
// elements become line breaks, list items get a bullet, links keep their target
// in brackets, the usual entities are decoded. One linear pass over the input,
// so a hostile page cannot make it slow (no backtracking regular expressions
// over the whole document). Pure.

/** Elements whose content is not text a person reads; `title` is read separately. */
const DROPPED = new Set(["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select", "title"]);
const BLOCKS = new Set(
  "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr main nav ol p pre section table tbody tfoot thead tr ul".split(
    " ",
  ),
);
const CELLS = new Set(["td", "th"]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  middot: "·",
  bull: "•",
  times: "×",
  shy: "",
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);?/gi, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      // NUL, surrogates and out-of-range code points are not characters.
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Text of an HTML fragment on one line (search snippets, titles). */
export function inlineText(html: string): string {
  let text = "";
  let index = 0;
  while (index < html.length) {
    const open = html.indexOf("<", index);
    if (open === -1) {
      text += html.slice(index);
      break;
    }
    text += html.slice(index, open);
    if (!/[a-z/!?]/i.test(html[open + 1] ?? "")) {
      text += "<";
      index = open + 1;
      continue;
    }
    const close = html.indexOf(">", open + 1);
    if (close === -1) break;
    index = close + 1;
  }
  return decodeEntities(text).replace(/\s+/g, " ").trim();
}

/** The text of a dropped element's content: from `from` to its closing tag (or the end). */
function skipTo(html: string, tag: string, from: number): { content: string; next: number } {
  const closing = new RegExp(`</${tag}\\s*>`, "gi");
  closing.lastIndex = from;
  const match = closing.exec(html);
  if (!match) return { content: html.slice(from), next: html.length };
  return { content: html.slice(from, match.index), next: match.index + match[0].length };
}

const TAG_NAME = /^(\/?)([a-z][a-z0-9-]*)/i;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

/** The page's title and its readable text. */
export function htmlToText(html: string): { title: string | null; text: string } {
  const out: string[] = [];
  let title: string | null = null;
  let anchor: { href: string; start: number } | null = null;
  let index = 0;
  while (index < html.length) {
    const open = html.indexOf("<", index);
    if (open === -1) {
      out.push(html.slice(index));
      break;
    }
    out.push(html.slice(index, open));
    if (html.startsWith("<!--", open)) {
      const end = html.indexOf("-->", open + 4);
      index = end === -1 ? html.length : end + 3;
      continue;
    }
    const name = TAG_NAME.exec(html.slice(open + 1, open + 64));
    const isMarkup = name !== null || html[open + 1] === "!" || html[open + 1] === "?";
    if (!isMarkup) {
      // "a < b" is text.
      out.push("<");
      index = open + 1;
      continue;
    }
    const close = html.indexOf(">", open + 1);
    if (close === -1) break;
    index = close + 1;
    if (!name) continue; // <!DOCTYPE …>, <?xml …?>
    const isEnd = name[1] === "/";
    const tag = (name[2] ?? "").toLowerCase();
    if (!isEnd && DROPPED.has(tag)) {
      const skipped = skipTo(html, tag, index);
      if (tag === "title" && title === null) title = inlineText(skipped.content) || null;
      index = skipped.next;
      out.push(" ");
    } else if (tag === "a") {
      if (!isEnd) {
        const href = HREF.exec(html.slice(open, close));
        anchor = { href: href?.[1] ?? href?.[2] ?? href?.[3] ?? "", start: out.length };
      } else if (anchor) {
        // Entities are decoded once, at the end, for the label and the target alike.
        const label = out.splice(anchor.start).join("").replace(/\s+/g, " ").trim();
        const href = anchor.href.trim();
        const isShown = label && /^https?:\/\//i.test(href) && decodeEntities(href) !== decodeEntities(label);
        out.push(isShown ? `${label} [${href}]` : label);
        anchor = null;
      }
    } else if (tag === "li" && !isEnd) out.push("\n• ");
    else if (BLOCKS.has(tag)) out.push("\n");
    else if (CELLS.has(tag)) out.push(" ");
  }
  const text = decodeEntities(out.join(""))
    .replace(/[^\S\n]+/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { title, text };
}
