import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventHash, GENESIS_HASH } from "./hash";
import { verifyEntries, type TChainEntry } from "./verify";

function chain(payloads: unknown[]): TChainEntry[] {
  let prevHash = GENESIS_HASH;
  return payloads.map((payload, index) => {
    const event = {
      tenantId: "t-1",
      seq: String(index + 1),
      runId: null,
      type: "x",
      eventClass: "message",
      payload,
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    const hash = eventHash(prevHash, event);
    const entry: TChainEntry = { kind: "event", ...event, prevHash, hash };
    prevHash = hash;
    return entry;
  });
}

const payloads = fc.array(
  fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  { minLength: 2, maxLength: 40 },
);

describe("chain verification", () => {
  it("a recorded chain verifies", () => {
    fc.assert(
      fc.property(payloads, (values) => {
        expect(verifyEntries(chain(values))).toMatchObject({ isValid: true, checked: values.length });
      }),
    );
  });

  it("changing any event's content fails at that event", () => {
    fc.assert(
      fc.property(payloads, fc.nat(), (values, pick) => {
        const entries = chain(values);
        const index = pick % entries.length;
        const target = entries[index] as Extract<TChainEntry, { kind: "event" }>;
        entries[index] = { ...target, payload: { forged: target.payload } };
        expect(verifyEntries(entries)).toMatchObject({ isValid: false, failure: { seq: String(index + 1), reason: "hash_mismatch" } });
      }),
    );
  });

  it("removing any event fails at that event", () => {
    fc.assert(
      fc.property(payloads, fc.nat(), (values, pick) => {
        const entries = chain(values);
        const index = pick % (entries.length - 1);
        entries.splice(index, 1);
        expect(verifyEntries(entries)).toMatchObject({ isValid: false, failure: { seq: String(index + 1), reason: "gap" } });
      }),
    );
  });

  it("swapping two neighbours fails at the first of them", () => {
    fc.assert(
      fc.property(payloads, fc.nat(), (values, pick) => {
        const entries = chain(values);
        const index = pick % (entries.length - 1);
        const [a, b] = [entries[index], entries[index + 1]] as [TChainEntry, TChainEntry];
        entries[index] = b;
        entries[index + 1] = a;
        const result = verifyEntries(entries);
        expect(result.isValid).toBe(false);
        if (!result.isValid) expect(result.failure.reason).toBe("gap");
      }),
    );
  });

  it("a summary stands in for removed events when its hashes link", () => {
    const entries = chain([1, 2, 3, 4, 5]) as Extract<TChainEntry, { kind: "event" }>[];
    const [first, , third, fourth, fifth] = entries as [
      (typeof entries)[0],
      unknown,
      (typeof entries)[0],
      (typeof entries)[0],
      (typeof entries)[0],
    ];
    const summary: TChainEntry = {
      kind: "summary",
      firstSeq: "1",
      lastSeq: "3",
      count: 3,
      firstPrevHash: first.prevHash,
      lastHash: third.hash,
    };
    expect(verifyEntries([summary, fourth, fifth])).toMatchObject({ isValid: true });
    expect(verifyEntries([{ ...summary, lastHash: "f".repeat(64) }, fourth, fifth])).toMatchObject({
      isValid: false,
      failure: { seq: "4", reason: "broken_link" },
    });
  });
});
