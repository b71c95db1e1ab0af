// A deliberately small markdown renderer for skill previews: headings, lists,
// quotes, fenced code, paragraphs, and inline code, bold, italics and http(s)
// links. It builds React elements from text (never HTML strings), so whatever a
// skill contains is shown, never executed.
import type { ReactNode } from "react";

type TBlock =
  | { kind: "heading"; level: number; text: string }
  | { kind: "code"; text: string }
  | { kind: "list"; isOrdered: boolean; items: string[] }
  | { kind: "quote"; text: string }
  | { kind: "paragraph"; text: string };

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

export function parseBlocks(markdown: string): TBlock[] {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const blocks: TBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? "";
    if (line.trim() === "") {
      index += 1;
      continue;
    }
    if (line.trimStart().startsWith("```")) {
      const code: string[] = [];
      index += 1;
      while (index < lines.length && !(lines[index] ?? "").trimStart().startsWith("```")) code.push(lines[index++] ?? "");
      index += 1;
      blocks.push({ kind: "code", text: code.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: "heading", level: heading[1]?.length ?? 1, text: heading[2] ?? "" });
      index += 1;
      continue;
    }
    const listPattern = BULLET.test(line) ? BULLET : NUMBERED.test(line) ? NUMBERED : null;
    if (listPattern) {
      const items: string[] = [];
      while (index < lines.length && listPattern.test(lines[index] ?? "")) items.push(listPattern.exec(lines[index++] ?? "")?.[1] ?? "");
      blocks.push({ kind: "list", isOrdered: listPattern === NUMBERED, items });
      continue;
    }
    if (line.startsWith(">")) {
      const quote: string[] = [];
      while (index < lines.length && (lines[index] ?? "").startsWith(">")) quote.push((lines[index++] ?? "").replace(/^>\s?/, ""));
      blocks.push({ kind: "quote", text: quote.join(" ") });
      continue;
    }
    const paragraph: string[] = [];
    while (index < lines.length) {
      const next = lines[index] ?? "";
      if (
        next.trim() === "" ||
        HEADING.test(next) ||
        BULLET.test(next) ||
        NUMBERED.test(next) ||
        next.startsWith(">") ||
        next.trimStart().startsWith("```")
      )
        break;
      paragraph.push(next);
      index += 1;
    }
    blocks.push({ kind: "paragraph", text: paragraph.join(" ") });
  }
  return blocks;
}

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const start = match.index ?? 0;
    if (start > last) nodes.push(text.slice(last, start));
    const token = match[0];
    const key = `${start}`;
    if (match[1])
      nodes.push(
        <code key={key} className="rounded bg-slate-100 px-1 font-mono text-[0.85em]">
          {token.slice(1, -1)}
        </code>,
      );
    else if (match[2]) nodes.push(<strong key={key}>{token.slice(2, -2)}</strong>);
    else if (match[3]) nodes.push(<em key={key}>{token.slice(1, -1)}</em>);
    else {
      const [, label = "", href = ""] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token) ?? [];
      // Only web links become links; anything else (javascript:, data:) stays text.
      nodes.push(
        /^https?:\/\//i.test(href) ? (
          <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow" className="text-indigo-700 underline">
            {label}
          </a>
        ) : (
          token
        ),
      );
    }
    last = start + token.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

const HEADING_CLASSES = ["text-lg font-semibold", "text-base font-semibold", "text-sm font-semibold", "text-sm font-medium"];

export function MarkdownPreview({ markdown }: { markdown: string }) {
  const blocks = parseBlocks(markdown);
  if (blocks.length === 0) return <p className="text-sm text-slate-500">Nothing to preview yet.</p>;
  return (
    <div className="space-y-2 text-sm text-slate-800" data-testid="markdown-preview">
      {blocks.map((block, index) => {
        switch (block.kind) {
          case "heading":
            return (
              <p key={index} role="heading" aria-level={block.level} className={HEADING_CLASSES[Math.min(block.level, 4) - 1]}>
                {inline(block.text)}
              </p>
            );
          case "code":
            return (
              <pre key={index} className="overflow-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
                {block.text}
              </pre>
            );
          case "list": {
            const items = block.items.map((item, itemIndex) => <li key={itemIndex}>{inline(item)}</li>);
            return block.isOrdered ? (
              <ol key={index} className="list-decimal space-y-0.5 pl-5">
                {items}
              </ol>
            ) : (
              <ul key={index} className="list-disc space-y-0.5 pl-5">
                {items}
              </ul>
            );
          }
          case "quote":
            return (
              <blockquote key={index} className="border-l-2 border-slate-300 pl-3 text-slate-600">
                {inline(block.text)}
              </blockquote>
            );
          default:
            return <p key={index}>{inline(block.text)}</p>;
        }
      })}
    </div>
  );
}
