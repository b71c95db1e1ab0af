// appendAfterEffectSql: the event that carries an effect's value, split where the value
// goes. Put together with any value, the split parts must be exactly the text the app
// would build for that value, or the stored hash would not verify.
import { describe, expect, it } from "vitest";
import { appendAfterEffectSql, appendSql, type TNewEvent } from "./append";

const TENANT = "00000000-0000-4000-8000-000000000001";
const RUN = "00000000-0000-4000-8000-000000000002";
const at = new Date("2026-12-07T10:00:00.000Z");
const decision: TNewEvent = { runId: RUN, type: "policy.decision", eventClass: "policy_decision", payload: { tool: "memory.set" }, at };
const carrier =
  (result: (value: number) => unknown) =>
  (value: number): TNewEvent => ({
    runId: RUN,
    type: "tool.result",
    eventClass: "tool_result",
    payload: { tool: "memory.set", ok: true, result: result(value) },
    at,
  });

/** What append_events_after_effect makes of the statement for a value: each event's payload and hashed text around its seq. */
function assembled(values: readonly unknown[], value: number) {
  const [, , , , payloads, , prefixes, suffixes, event, payloadRest, prefixRest] = values as [
    unknown,
    unknown,
    unknown,
    unknown,
    string[],
    unknown,
    string[],
    string[],
    number,
    string,
    string,
  ];
  return payloads.map((payload, index) =>
    index === event - 1
      ? { payload: `${payload}${value}${payloadRest}`, prefix: `${prefixes[index]}${value}${prefixRest}`, suffix: suffixes[index] }
      : { payload, prefix: prefixes[index], suffix: suffixes[index] },
  );
}

describe("appendAfterEffectSql", () => {
  it("leaves one place for the value, which gives the app's own text for any value", () => {
    const build = carrier((version) => ({ key: 'a "version":1 key', version }));
    const { statement } = appendAfterEffectSql(TENANT, [decision], build);
    for (const value of [0, 7, 42, 123_456_789_012_345]) {
      // The app's own build for this value, with no hole: its drafts are the reference.
      const direct = appendSql(TENANT, [decision, build(value)]).drafts.map((draft) => ({
        payload: draft.payloadText,
        prefix: draft.prefix,
        suffix: draft.suffix,
      }));
      expect(assembled(statement.values ?? [], value)).toEqual(direct);
    }
  });

  it("refuses a value that appears twice, or not at all, in its event", () => {
    expect(() =>
      appendAfterEffectSql(
        TENANT,
        [decision],
        carrier((version) => ({ version, again: version })),
      ),
    ).toThrow(/must appear once/);
    expect(() =>
      appendAfterEffectSql(
        TENANT,
        [decision],
        carrier(() => ({ version: "unknown" })),
      ),
    ).toThrow(/must appear in its event/);
  });
});
