import type { LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { replayRun } from "@/server/events/replay";
import { toolCatalog } from "@/server/tools/catalog";
import { createModelPlanner, wireName } from "./model-planner";

function usage(input: number, output: number): LanguageModelV3GenerateResult["usage"] {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function toolCall(toolName: string, input: unknown, tokens = [20, 5]): LanguageModelV3GenerateResult {
  return {
    content: [
      { type: "tool-call", toolCallId: "model-call-1", toolName, input: typeof input === "string" ? input : JSON.stringify(input) },
    ],
    finishReason: { unified: "tool-calls", raw: "tool_calls" },
    usage: usage(tokens[0] ?? 0, tokens[1] ?? 0),
    warnings: [],
  };
}

function text(reply: string, tokens = [30, 7]): LanguageModelV3GenerateResult {
  return {
    content: [{ type: "text", text: reply }],
    finishReason: { unified: "stop", raw: "stop" },
    usage: usage(tokens[0] ?? 0, tokens[1] ?? 0),
    warnings: [],
  };
}

describe("the model planner (ai SDK mock model)", () => {
  it("offers the catalog's tools under wire names, and maps a proposed call back with its usage", async () => {
    const catalog = await toolCatalog("saas");
    const model = new MockLanguageModelV3({ doGenerate: [toolCall("memory_set", { key: "launch", value: "Friday" })] });
    const planner = createModelPlanner(model, catalog);
    const step = await planner({ message: "remember that the launch is on Friday", results: [] });
    expect(step).toEqual({
      call: { tool: "memory.set", args: { key: "launch", value: "Friday" } },
      usage: { inputTokens: 20, outputTokens: 5 },
    });
    const offered = (model.doGenerateCalls[0]?.tools ?? []).map((definition) => definition.name).sort();
    expect(offered).toEqual(
      catalog
        .list()
        .map((definition) => wireName(definition.name))
        .sort(),
    );
    expect(offered).toContain("memory_set");
    // saas: the model is never even told about a shell or a file system.
    expect(offered.some((name) => /^(shell|fs)_/.test(name))).toBe(false);
  });

  it("feeds executed results back as tool messages and ends with the model's text", async () => {
    const catalog = await toolCatalog("saas");
    const model = new MockLanguageModelV3({ doGenerate: [text("Saved: the launch is on Friday.")] });
    const planner = createModelPlanner(model, catalog, {
      history: [
        { role: "user", text: "hello" },
        { role: "assistant", text: "hi" },
      ],
    });
    const step = await planner({
      message: "remember that the launch is on Friday",
      results: [{ tool: "memory.set", args: { key: "launch", value: "Friday" }, result: { key: "launch", version: 1 } }],
    });
    expect(step).toEqual({ final: "Saved: the launch is on Friday.", usage: { inputTokens: 30, outputTokens: 7 } });
    const prompt = model.doGenerateCalls[0]?.prompt ?? [];
    expect(prompt.map((message) => message.role)).toEqual(["system", "user", "assistant", "user", "assistant", "tool"]);
    expect(prompt[4]).toMatchObject({
      content: [{ type: "tool-call", toolName: "memory_set", input: { key: "launch", value: "Friday" } }],
    });
    expect(prompt[5]).toMatchObject({
      content: [{ type: "tool-result", toolName: "memory_set", output: { type: "json", value: { key: "launch", version: 1 } } }],
    });
  });

  it("passes a tool the model made up, and arguments it garbled, to the gate as written", async () => {
    const catalog = await toolCatalog("saas");
    const invented = createModelPlanner(
      new MockLanguageModelV3({ doGenerate: [toolCall("shell_exec", { command: "rm -rf /" })] }),
      catalog,
    );
    const step = await invented({ message: "run rm -rf /", results: [] });
    expect("call" in step && step.call).toEqual({ tool: "shell_exec", args: { command: "rm -rf /" } });
    const garbled = createModelPlanner(new MockLanguageModelV3({ doGenerate: [toolCall("memory_set", "{not json")] }), catalog);
    const second = await garbled({ message: "remember x", results: [] });
    expect("call" in second && second.call.tool).toBe("memory.set");
    expect("call" in second && typeof second.call.args).toBe("string");
  });

  it("replays deterministically against a recorded run", async () => {
    const catalog = await toolCatalog("saas");
    const model = new MockLanguageModelV3({
      doGenerate: [toolCall("memory_search", { query: "launch" }), text("The launch is on Friday.")],
    });
    const replay = await replayRun(
      [
        { type: "message.user", payload: { text: "when is the launch?" } },
        { type: "tool.call", payload: { tool: "memory.search", args: { query: "launch" } } },
        { type: "tool.result", payload: { ok: true, result: [{ key: "launch", value: "Friday" }] } },
      ],
      createModelPlanner(model, catalog),
    );
    expect(replay.divergedAt).toBeNull();
    expect(replay.steps).toHaveLength(2);
  });

  it("lets a model error reach the loop (which fails the run with the reason)", async () => {
    const catalog = await toolCatalog("saas");
    const model = new MockLanguageModelV3({
      doGenerate: async () => {
        throw new Error("connection refused");
      },
    });
    await expect(createModelPlanner(model, catalog)({ message: "hi", results: [] })).rejects.toThrow("connection refused");
  });
});
