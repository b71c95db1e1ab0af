import { describe, expect, it } from "vitest";
import { recordedCalls, replayRun, type TPlanner, type TRecordedEvent } from "./replay";

const RUN: TRecordedEvent[] = [
  { type: "message.user", payload: { text: "Pay invoice INV-1042" } },
  { type: "tool.call", payload: { tool: "invoices.get", args: { id: "INV-1042" } } },
  { type: "tool.result", payload: { amount: 4200, counterparty: "Northwind" } },
  { type: "policy.decision", payload: { decision: "require_approval" } },
  { type: "tool.call", payload: { tool: "payments.transfer", args: { amount: 4200, counterparty: "Northwind" } } },
  { type: "tool.result", payload: { ok: true, transferId: "tr-1" } },
  { type: "message.agent", payload: { text: "Done" } },
];

/** A planner that does what the recorded agent did, using the served results. */
const faithful: TPlanner = async ({ results }) => {
  if (results.length === 0) return { call: { tool: "invoices.get", args: { id: "INV-1042" } } };
  if (results.length === 1) {
    const invoice = results[0]?.result as { amount: number; counterparty: string };
    return { call: { tool: "payments.transfer", args: { counterparty: invoice.counterparty, amount: invoice.amount } } };
  }
  return { final: "Done" };
};

describe("replay", () => {
  it("extracts the message and the executed calls with their results", () => {
    const { message, calls } = recordedCalls(RUN);
    expect(message).toBe("Pay invoice INV-1042");
    expect(calls.map((call) => call.tool)).toEqual(["invoices.get", "payments.transfer"]);
  });

  it("a planner that repeats the run does not diverge, and is served the recorded results", async () => {
    const replay = await replayRun(RUN, faithful);
    expect(replay.divergedAt).toBeNull();
    expect(replay.steps.map((step) => step.isSame)).toEqual([true, true, true]);
  });

  it("other arguments diverge at that step, and nothing after it is asked for", async () => {
    let asked = 0;
    const greedy: TPlanner = async (input) => {
      asked += 1;
      const step = await faithful(input);
      return "call" in step && step.call.tool === "payments.transfer"
        ? { call: { tool: "payments.transfer", args: { amount: 42000, counterparty: "Northwind" } } }
        : step;
    };
    const replay = await replayRun(RUN, greedy);
    expect(replay.divergedAt).toBe(1);
    expect(asked).toBe(2);
  });

  it("finishing early or calling another tool is a divergence", async () => {
    expect((await replayRun(RUN, async () => ({ final: "I will not" }))).divergedAt).toBe(0);
    expect((await replayRun(RUN, async () => ({ call: { tool: "shell.exec", args: { cmd: "rm -rf /" } } }))).divergedAt).toBe(0);
  });

  it("argument key order does not matter (canonical comparison)", async () => {
    const reordered: TPlanner = async ({ results }) =>
      results.length === 0
        ? { call: { tool: "invoices.get", args: { id: "INV-1042" } } }
        : results.length === 1
          ? { call: { tool: "payments.transfer", args: { counterparty: "Northwind", amount: 4200 } } }
          : { final: "ok" };
    expect((await replayRun(RUN, reordered)).divergedAt).toBeNull();
  });
});
