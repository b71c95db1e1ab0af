import { describe, expect, it } from "vitest";
import { decodeEntities, htmlToText, inlineText } from "./html-text";

describe("htmlToText", () => {
  it("keeps what a person reads: title, headings, paragraphs, list items, link targets", () => {
    const page = `<!DOCTYPE html><html><head><title>Quarterly &amp; report</title>
      <meta charset="utf-8"><style>body { color: red }</style><script>alert("x < y")</script></head>
      <body><h1>Results</h1><p>Revenue grew <b>12%</b>.<br>Costs fell.</p>
      <ul><li>One</li><li>Two &lt;three&gt;</li></ul>
      <p>See <a href="https://example.com/q3">the details</a> or <a href="/local">here</a>.</p>
      <!-- a comment that is not text --><noscript>enable JS</noscript></body></html>`;
    const { title, text } = htmlToText(page);
    expect(title).toBe("Quarterly & report");
    expect(text).toBe(
      "Results\n\nRevenue grew 12%.\nCosts fell.\n\n• One\n• Two <three>\n\nSee the details [https://example.com/q3] or here.",
    );
    expect(text).not.toMatch(/alert|color: red|comment|enable JS/);
  });

  it("decodes entities once, not twice", () => {
    expect(htmlToText("<p>&amp;lt;b&amp;gt; &#169; &#x1F600; &nbsp;x</p>").text).toBe("&lt;b&gt; © 😀 x");
    expect(htmlToText('<a href="https://a.test/?x=1&amp;y=2">&amp;lt;</a>').text).toBe("&lt; [https://a.test/?x=1&y=2]");
    expect(decodeEntities("&#0;&#xD800;&#99999999;&unknown;")).toBe("\ufffd\ufffd\ufffd&unknown;");
  });

  it("reads unclosed scripts and stray angle brackets the way a browser would", () => {
    expect(htmlToText("<p>a < b and c > d</p>").text).toBe("a < b and c > d");
    expect(htmlToText("<p>before</p><script>never shown").text).toBe("before");
  });

  it("stays linear on hostile input", () => {
    const hostile = ["<a ".repeat(200_000), "<!--".repeat(200_000), "<script>".repeat(100_000), "<a href=x>".repeat(100_000)];
    const started = performance.now();
    for (const html of hostile) htmlToText(html);
    for (const html of hostile) inlineText(html);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("inlineText", () => {
  it("strips tags from a search snippet and collapses whitespace", () => {
    expect(inlineText("The <strong>fabric</strong>\n of  agents &mdash; 2 < 3")).toBe("The fabric of agents — 2 < 3");
  });
});
