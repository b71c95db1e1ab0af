import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentPrincipal, INBOUND_CHANNELS, parsePrincipal, principalId, userIdOf, userPrincipal, type TPrincipal } from "./principals";

const id = fc.string({ minLength: 1 });
const known: fc.Arbitrary<TPrincipal> = fc.oneof(
  fc.record({ kind: fc.constant("user" as const), id }),
  fc.record({ kind: fc.constant("agent" as const), id }),
  fc.record({ kind: fc.constant("apiKey" as const), id }),
  fc.record({ kind: fc.constant("runtime" as const), id }),
  fc.record({ kind: fc.constant("inbound" as const), channel: fc.constantFrom(...INBOUND_CHANNELS), sender: id }),
  fc.record({ kind: fc.constant("pack" as const), name: id, version: fc.integer({ min: 1, max: 999_999_999 }) }),
  fc.constant({ kind: "timeout" as const }),
);

describe("principals", () => {
  it("writes the stored forms", () => {
    expect(userPrincipal("0b7e3c2a-5f1d-4c8e-9a6b-1d2e3f4a5b6c")).toBe("user:0b7e3c2a-5f1d-4c8e-9a6b-1d2e3f4a5b6c");
    expect(agentPrincipal("whatsapp:+15550100")).toBe("agent:whatsapp:+15550100");
    expect(principalId({ kind: "inbound", channel: "whatsapp", sender: "15550100" })).toBe("whatsapp:15550100");
    expect(principalId({ kind: "pack", name: "treasury", version: 3 })).toBe("pack:treasury@v3");
    expect(principalId({ kind: "timeout" })).toBe("timeout");
  });

  it("reads them back, agent ids and pack names with their colons and @v", () => {
    expect(parsePrincipal("agent:whatsapp:+15550100")).toEqual({ kind: "agent", id: "whatsapp:+15550100" });
    expect(parsePrincipal("pack:a@v1@v2")).toEqual({ kind: "pack", name: "a@v1", version: 2 });
    expect(parsePrincipal("whatsapp:webhook")).toEqual({ kind: "inbound", channel: "whatsapp", sender: "webhook" });
    expect(parsePrincipal("timeout")).toEqual({ kind: "timeout" });
  });

  it("keeps what it does not know as unknown, never throwing", () => {
    for (const raw of ["", "seed", "job:retention", "user:", "agent:", "pack:treasury", "pack:treasury@v0", "pack:t@v01", "Timeout"]) {
      expect(parsePrincipal(raw)).toEqual({ kind: "unknown", raw });
    }
  });

  it("names the user of a user principal only", () => {
    expect(userIdOf("user:ada@example.com")).toBe("ada@example.com");
    expect(userIdOf("agent:x")).toBeNull();
    expect(userIdOf("users:x")).toBeNull();
  });

  it("round-trips every principal through its stored form", () => {
    fc.assert(
      fc.property(known, (principal) => {
        expect(parsePrincipal(principalId(principal))).toEqual(principal);
      }),
    );
  });

  it("gives back every string it is given, whatever it parsed it as", () => {
    const strings = fc.oneof(fc.string(), known.map(principalId), fc.constantFrom("user:", "pack:x@v", "whatsapp:"));
    fc.assert(
      fc.property(strings, (value) => {
        expect(principalId(parsePrincipal(value))).toBe(value);
      }),
    );
  });
});
