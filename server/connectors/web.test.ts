import { describe, expect, it } from "vitest";
import { truncateForJson, ZPublicUrl } from "./web";

describe("truncateForJson", () => {
  it("keeps text that fits, as it is", () => {
    expect(truncateForJson("short", 100)).toEqual({ text: "short", isTruncated: false });
  });

  it.each([
    ["ascii", "a".repeat(5000)],
    ["multi-byte", "é€😀".repeat(2000)],
    ["escaped in JSON", '"\n\\\u0001'.repeat(2000)],
  ])("cuts %s text so its JSON fits the limit, as long as possible, never splitting a character", (_, text) => {
    const cut = truncateForJson(text, 1000);
    expect(cut.isTruncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(cut.text))).toBeLessThanOrEqual(1000);
    expect(text.startsWith(cut.text)).toBe(true);
    // One more character would not fit (or would split a surrogate pair).
    const next = text.slice(0, cut.text.length + 1);
    expect(Buffer.byteLength(JSON.stringify(next)) > 1000 || /[\ud800-\udbff]$/.test(next)).toBe(true);
    expect(/[\ud800-\udbff]$/.test(cut.text)).toBe(false);
  });
});

describe("ZPublicUrl", () => {
  it("accepts public http(s) URLs and refuses the rest with the reason", () => {
    expect(ZPublicUrl.safeParse("https://example.com/a?b=1").success).toBe(true);
    const refused = ZPublicUrl.safeParse("http://[::1]:8080/");
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe("Refused: ::1 is a loopback address");
    expect(ZPublicUrl.safeParse(`https://example.com/${"a".repeat(2100)}`).success).toBe(false);
  });
});
