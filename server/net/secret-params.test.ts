import { describe, expect, it, vi } from "vitest";
import type { NextConfig } from "next";
import { redactUrl, SECRET_QUERY } from "./secret-params.mjs";

const VERIFY = "/api/v1/webhooks/whatsapp/acme?hub.mode=subscribe&hub.verify_token=meta-verify-s3cret&hub.challenge=42";

describe("secrets in query strings", () => {
  it("the dev server's request log skips URLs whose query carries a secret", async () => {
    // A plain .mjs config has no types: read it as Next does, through its default export.
    const configPath = "../../next.config.mjs";
    const { default: nextConfig } = (await import(/* @vite-ignore */ configPath)) as { default: NextConfig };
    const ignore = (nextConfig.logging as { incomingRequests: { ignore: RegExp[] } }).incomingRequests.ignore;
    const isIgnored = (url: string) => ignore.some((pattern) => pattern.test(url));
    expect(isIgnored(VERIFY)).toBe(true);
    expect(isIgnored("/api/v1/tenants/acme/approvals?api_key=sk-live-123")).toBe(true);
    expect(isIgnored("/api/v1/tenants/acme/approvals?x=1&TOKEN=abc")).toBe(true);
    expect(isIgnored("/t/acme/runs?status=completed")).toBe(false);
    expect(isIgnored("/t/acme/chat")).toBe(false);
  });

  it("redactUrl keeps the URL's shape but not the secret values", () => {
    const redacted = redactUrl(`https://fabric.example${VERIFY}#frag`);
    expect(redacted).not.toContain("meta-verify-s3cret");
    expect(redacted).toContain("hub.verify_token=[redacted]");
    expect(redacted).toContain("hub.challenge=42");
    expect(redactUrl("/a?key=1&keyboard=qwerty")).toBe("/a?key=[redacted]&keyboard=qwerty");
    expect(redactUrl("/no/query")).toBe("/no/query");
    expect(SECRET_QUERY.test("/a?monkey=1")).toBe(false);
  });

  it("the app's logger redacts secret parameters in logged URLs", async () => {
    const { logger } = await import("@/server/logger");
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    // A child of the app's logger (same serializers and stream), loud enough to write here.
    logger.child({}, { level: "info" }).warn({ url: VERIFY, path: "/x?api_key=sk-live-123" }, "refused");
    spy.mockRestore();
    const text = written.join("");
    expect(text).toContain("refused");
    expect(text).not.toContain("meta-verify-s3cret");
    expect(text).not.toContain("sk-live-123");
    expect(text).toContain("[redacted]");
  });
});
