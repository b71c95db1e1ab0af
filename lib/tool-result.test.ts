import { describe, expect, it } from "vitest";
import { isSandboxDelivery, resultSummary, resultText } from "./tool-result";

const OUTBOX = { delivered: "sandbox_outbox", outboxId: "o-1", note: "No payments credentials…" };

describe("resultSummary", () => {
  it("says what memory and skills hold, not just 'done'", () => {
    expect(resultSummary("memory.search", { query: "" }, { entries: [{ key: "launch-friday", value: "the launch is on Friday" }] })).toBe(
      "I remember: the launch is on Friday (launch-friday).",
    );
    expect(resultSummary("memory.search", { query: "x" }, { entries: [] })).toBe("I don't remember anything that matches.");
    expect(resultSummary("memory.get", { key: "k" }, { key: "k", found: false })).toContain("don't remember");
    expect(resultSummary("skills.list", {}, { skills: [{ name: "triage", description: "sort tickets", version: 2 }] })).toBe(
      "Skills: triage (sort tickets).",
    );
  });

  it("never calls an Outbox delivery sent or done, and formats the money", () => {
    const text = resultSummary("payments.transfer", { amount: 500000, currency: "USD", counterparty: "A" }, OUTBOX);
    expect(text).toBe(
      "payments.transfer of 5,000.00 USD was delivered to the sandbox Outbox, not sent: this tenant has no credentials for the service, so nothing reached it.",
    );
    expect(isSandboxDelivery(OUTBOX)).toBe(true);
    expect(isSandboxDelivery({ transferId: "t" })).toBe(false);
  });

  it("falls back to a short readable form, cut at the limit", () => {
    expect(resultSummary("web.fetch", {}, { status: 200, title: "Hi" })).toBe("web.fetch done: status: 200 title: Hi");
    expect(resultSummary("web.fetch", {}, { text: "x".repeat(1_000) }, 50)).toHaveLength(50);
  });
});

describe("resultText", () => {
  it("renders nested results as indented lines", () => {
    expect(resultText({ entries: [{ key: "a", value: "b" }], total: 1 })).toBe("entries:\n  - key: a\n    value: b\ntotal: 1");
    expect(resultText({ entries: [] })).toBe("entries: (none)");
    expect(resultText("plain")).toBe("plain");
  });
});
