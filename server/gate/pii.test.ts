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
});
