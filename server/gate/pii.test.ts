import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectPii } from "./pii";

describe("personal data detection", () => {
  it.each([
    [{ to: "jane.doe@example.com" }, ["email"]],
    [{ text: "call me on +44 20 7946 0958" }, ["phone"]],
    [{ card: "4111 1111 1111 1111" }, ["card"]],
    [{ iban: "DE89 3704 0044 0532 0130 00" }, ["iban"]],
    [{ nested: [{ deep: "write to ops@acme.test" }] }, ["email"]],
  ])("finds %j", (args, kinds) => {
    expect(detectPii(args)).toEqual({ hasAny: true, kinds });
  });

  it.each([
    [{ text: "the launch is on Friday" }],
    [{ number: "4111 1111 1111 1112" }],
    [{ iban: "DE00 0000 0000 0000 0000 00" }],
    [{ amount: 4200 }],
  ])("finds nothing in %j", (args) => {
    expect(detectPii(args)).toEqual({ hasAny: false, kinds: [] });
  });

  it("reads no identifier as personal data: a UUID's digits are never a phone number", () => {
    // "86fc4f53-aeea-4955-a003-29528271c8f2" once read as the international number 003-29528271.
    expect(detectPii({ workflowId: "86fc4f53-aeea-4955-a003-29528271c8f2" })).toEqual({ hasAny: false, kinds: [] });
    fc.assert(
      fc.property(fc.uuid(), (id) => !detectPii({ workflowId: id, note: `run ${id}` }).hasAny),
      { numRuns: 5000 },
    );
    // A number written with the 00 prefix still counts, alone or after other words.
    expect(detectPii({ text: "ring 0044 20 7946 0958 today" }).kinds).toEqual(["phone"]);
    expect(detectPii({ text: "86fc4f53-aeea-4955-a003-29528271c8f2 or +44 20 7946 0958" }).kinds).toEqual(["phone"]);
  });
});
