import { describe, expect, it } from "vitest";
import { scriptedPlan } from "./scripted-planner";

describe("scripted planner", () => {
  it("answers from the results it was given, not with a bare 'Done.'", () => {
    const recall = scriptedPlan("what do you remember?", [
      { tool: "memory.search", args: { query: "" }, result: { entries: [{ key: "launch-friday", value: "the launch is on Friday" }] } },
    ]);
    expect(recall).toEqual({ final: "I remember: the launch is on Friday (launch-friday)." });
    const skills = scriptedPlan("what skills do you have?", [
      { tool: "skills.list", args: {}, result: { skills: [{ name: "triage", description: "sort tickets", version: 1 }] } },
    ]);
    expect(skills).toEqual({ final: "Skills: triage (sort tickets)." });
  });

  it("proposes the call first, and keeps the old count form", () => {
    expect(scriptedPlan("what do you remember?", [])).toEqual({ call: { tool: "memory.search", args: { query: "" } } });
    expect(scriptedPlan("what skills do you have?", [])).toEqual({ call: { tool: "skills.list", args: {} } });
    expect(scriptedPlan("what do you remember?", 1)).toEqual({ final: "Done." });
  });
});
