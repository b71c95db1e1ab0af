import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalEvent, eventHash, GENESIS_HASH, normalizePayload } from "./hash";

const event = fc.record({
  tenantId: fc.uuid(),
  seq: fc.bigInt({ min: 1n, max: 2n ** 62n }).map(String),
  runId: fc.option(fc.uuid(), { nil: null }),
  type: fc.string(),
  eventClass: fc.constantFrom("message", "tool_result", "policy_decision"),
  payload: fc.jsonValue().map(normalizePayload),
  createdAt: fc.date({ min: new Date(0), max: new Date("9999-12-31"), noInvalidDate: true }).map((date) => date.toISOString()),
});

describe("event hashing", () => {
  it("the fast canonical form equals RFC 8785 canonicalize() of the whole event", () => {
    fc.assert(
      fc.property(event, (value) => {
        expect(canonicalEvent(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it("any change to any field changes the hash", () => {
    fc.assert(
      fc.property(event, fc.constantFrom("tenantId", "seq", "runId", "type", "eventClass", "payload", "createdAt"), (value, field) => {
        const changed = {
          ...value,
          [field]:
            field === "payload" ? { was: value.payload } : field === "runId" ? (value.runId ? null : "x") : `${String(value[field])}x`,
        };
        expect(eventHash(GENESIS_HASH, changed)).not.toBe(eventHash(GENESIS_HASH, value));
      }),
    );
  });

  it("the previous hash is part of the hash", () => {
    const value = {
      tenantId: "t",
      seq: "1",
      runId: null,
      type: "x",
      eventClass: "message",
      payload: {},
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    expect(eventHash(GENESIS_HASH, value)).not.toBe(eventHash("1".repeat(64), value));
  });

  it("payloads are stored as JSON keeps them, and NUL is refused", () => {
    expect(normalizePayload({ a: undefined, b: new Date("2026-01-01T00:00:00Z"), c: -0 })).toEqual({ b: "2026-01-01T00:00:00.000Z", c: 0 });
    expect(() => normalizePayload({ text: "a\u0000b" })).toThrow(/NUL/);
  });
});
