// The agent loop over HTTP against a fake OpenAI-compatible server on 127.0.0.1:
// the real provider client, the real gate, the real database.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOLD_MEMORY_DELETE } from "@/scripts/lib/seed";
import { withTenant } from "@/server/db";
import { DEFAULT_PACKS } from "@/server/gate/composition";
import { toolCatalog } from "@/server/tools/catalog";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { runAgentTurn } from "./loop";
import { createModelPlanner } from "./model-planner";
import { getModelSettings, languageModelFor, modelConfigFor, plannerName, saveModelSettings, type TModelPolicy } from "./models";

type TSeen = { path: string; authorization: string | undefined; body: Record<string, unknown> };
type TReply = (body: Record<string, unknown>) => { status: number; json: unknown };

const PLANTED_KEY = "sk-planted-secret-7f3a9c";

/** A tiny OpenAI-compatible chat completions server with a script of replies. */
class FakeOpenAi {
  readonly seen: TSeen[] = [];
  private script: TReply[] = [];
  private server: Server = createServer((request, response) => void this.handle(request, response));

  async start(): Promise<string> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  queue(...replies: TReply[]): void {
    this.script = replies;
    this.seen.length = 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    this.seen.push({ path: request.url ?? "", authorization: request.headers.authorization, body });
    const next = this.script.shift() ?? (() => ({ status: 500, json: { error: { message: "no scripted reply left" } } }));
    const reply = next(body);
    response.writeHead(reply.status, { "content-type": "application/json" });
    response.end(JSON.stringify(reply.json));
  }
}

function completion(message: Record<string, unknown>, finishReason: string, usage: { prompt: number; completion: number }) {
  return {
    status: 200,
    json: {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "fake-model",
      choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: finishReason }],
      usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
    },
  };
}

const callTool = (name: string, args: unknown, usage = { prompt: 120, completion: 18 }) =>
  completion(
    { tool_calls: [{ id: "call_abc", type: "function", function: { name, arguments: JSON.stringify(args) } }] },
    "tool_calls",
    usage,
  );
const say = (content: string, usage = { prompt: 150, completion: 9 }) => completion({ content }, "stop", usage);

const fake = new FakeOpenAi();
let baseUrl = "";
let fx: TTenantFixture;
let selfHosted: TModelPolicy;

beforeAll(async () => {
  baseUrl = await fake.start();
  selfHosted = { mode: "self_hosted", allowedBaseUrls: [] };
  fx = await createTenantFixture();
  await saveModelSettings(
    fx.tenant.id,
    fx.users.admin.id,
    { provider: "openai_compatible", baseUrl, model: "fake-model", apiKey: PLANTED_KEY },
    selfHosted,
  );
});

afterAll(async () => {
  await fake.stop();
});

async function turn(message: string) {
  const catalog = await toolCatalog("saas");
  const config = await modelConfigFor(fx.tenant.id, selfHosted);
  const model = languageModelFor(config);
  if (!model) throw new Error("expected a model");
  return runAgentTurn(catalog, createModelPlanner(model, catalog), {
    tenantId: fx.tenant.id,
    principal: { type: "User", id: fx.users.member.id, role: "member", label: `user:${fx.users.member.email}` },
    message,
    plannerName: plannerName(config),
  });
}

describe("the agent loop against an OpenAI-compatible server", () => {
  it("round-trips a tool call through the gate and counts the tokens on the run", async () => {
    fake.queue(
      () => callTool("memory_set", { key: "launch", value: "the launch is on Friday" }),
      (body) => {
        const messages = body.messages as { role: string; content: unknown; tool_call_id?: string }[];
        const result = messages.find((message) => message.role === "tool");
        return say(result ? `Noted (${String(result.content)}).` : "no tool result seen");
      },
    );
    const result = await turn("remember that the launch is on Friday");
    expect(result.status).toBe("completed");
    expect(result.steps.map((step) => [step.tool, step.outcome.status])).toEqual([["memory.set", "executed"]]);
    expect(result.reply).toMatch(/^Noted \(.*launch/);
    expect(result.usage).toEqual({ inputTokens: 270, outputTokens: 27 });

    // The exact requests: path, bearer key, our tools under wire names, the tool result fed back.
    expect(fake.seen).toHaveLength(2);
    expect(fake.seen[0]?.path).toBe("/v1/chat/completions");
    expect(fake.seen[0]?.authorization).toBe(`Bearer ${PLANTED_KEY}`);
    expect(fake.seen[0]?.body.model).toBe("fake-model");
    const offered = (fake.seen[0]?.body.tools as { function: { name: string } }[]).map((definition) => definition.function.name);
    expect(offered).toContain("memory_set");
    expect(offered.some((name) => name.startsWith("shell"))).toBe(false);
    const second = fake.seen[1]?.body.messages as { role: string; tool_call_id?: string }[];
    expect(second.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool"]);

    const stored = await withTenant(fx.tenant.id, async (db) => ({
      run: await db.run.findUniqueOrThrow({ where: { id: result.runId } }),
      memory: await db.memoryEntry.findFirst({ where: { tenantId: fx.tenant.id, key: "launch" } }),
      usage: await db.event.findMany({ where: { tenantId: fx.tenant.id, runId: result.runId, type: "model.usage" } }),
    }));
    expect(stored.run).toMatchObject({ status: "completed", planner: "openai_compatible:fake-model", inputTokens: 270, outputTokens: 27 });
    expect(stored.memory?.value).toBe("the launch is on Friday");
    expect(stored.usage).toHaveLength(2);
  });

  it("a call the model invents is refused by the gate and explained, never executed", async () => {
    fake.queue(() => callTool("shell_exec", { command: "rm -rf /" }));
    const result = await turn("clean up the server");
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]?.outcome).toMatchObject({ status: "denied", decision: { step: "registry" } });
    expect(result.reply).toContain("refused");
    expect(fake.seen).toHaveLength(1);
  });

  it("a held call stops the turn and waits for approval", async () => {
    fake.queue(() => callTool("memory_delete", { all: true }));
    // The fixture's composition holds nothing by default; hold memory.delete as the demo tenants do.
    await withTenant(fx.tenant.id, (db) =>
      db.policyComposition.upsert({
        where: { tenantId: fx.tenant.id },
        create: { tenantId: fx.tenant.id, packs: DEFAULT_PACKS, tenantPolicies: HOLD_MEMORY_DELETE },
        update: { tenantPolicies: HOLD_MEMORY_DELETE, version: { increment: 1 } },
      }),
    );
    const result = await turn("delete everything you remember");
    expect(result.status).toBe("waiting_approval");
    expect(result.steps[0]?.outcome.status).toBe("held");
    expect(fake.seen).toHaveLength(1);
  });

  it("a model that fails (HTTP 401, 500) fails the run with the reason, and nothing executes", async () => {
    for (const status of [401, 500]) {
      // A 5xx is retried once; a 401 is not.
      const failure = () => ({ status, json: { error: { message: status === 401 ? "invalid api key" : "upstream exploded" } } });
      fake.queue(failure, failure);
      const result = await turn("remember that this should not be saved");
      expect(result.status).toBe("failed");
      expect(result.steps).toHaveLength(0);
      expect(result.reply).toContain("The model could not plan this request");
      expect(result.reply).toContain(`HTTP ${status}`);
    }
    const saved = await withTenant(fx.tenant.id, (db) =>
      db.memoryEntry.count({ where: { tenantId: fx.tenant.id, value: { contains: "should not" } } }),
    );
    expect(saved).toBe(0);
  });

  it("the API key is stored sealed and never shown: settings, events and audit carry at most its last four", async () => {
    const view = await getModelSettings(fx.tenant.id, selfHosted);
    expect(view).toMatchObject({
      provider: "openai_compatible",
      baseUrl,
      model: "fake-model",
      apiKeyLast4: PLANTED_KEY.slice(-4),
      source: "tenant",
    });
    expect(JSON.stringify(view)).not.toContain(PLANTED_KEY);
    const everything = await withTenant(fx.tenant.id, async (db) =>
      JSON.stringify(
        [
          await db.tenantModelSetting.findMany({ where: { tenantId: fx.tenant.id } }),
          await db.event.findMany({ where: { tenantId: fx.tenant.id } }),
          await db.auditLog.findMany({ where: { tenantId: fx.tenant.id } }),
        ],
        (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value),
      ),
    );
    expect(everything).not.toContain(PLANTED_KEY);
    expect(everything).toContain("model.settings_changed");
    // Through the API too.
    const viaApi = await callerFor(fx.users.member).model.get({ tenantSlug: fx.tenant.slug });
    expect(JSON.stringify(viaApi)).not.toContain(PLANTED_KEY);
  });
});

describe("model settings", () => {
  it("in saas, a tenant cannot point the agent at an address the operator did not allow, at save or at use", async () => {
    const other = await createTenantFixture();
    const saas: TModelPolicy = { mode: "saas", allowedBaseUrls: ["https://api.openai.com/v1"] };
    await expect(
      saveModelSettings(
        other.tenant.id,
        other.users.admin.id,
        { provider: "openai_compatible", baseUrl: "http://127.0.0.1:5432/v1", model: "m" },
        saas,
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("https://api.openai.com/v1") });
    await saveModelSettings(
      other.tenant.id,
      other.users.admin.id,
      { provider: "openai_compatible", baseUrl: "https://api.openai.com/v1/", model: "gpt-4o-mini" },
      saas,
    );
    // Saved while allowed, then the operator narrowed the list: refused at use, with the reason.
    await expect(modelConfigFor(other.tenant.id, { mode: "saas", allowedBaseUrls: [] })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await expect(
      saveModelSettings(other.tenant.id, other.users.admin.id, { provider: "openai_compatible", baseUrl: null, model: "m" }, saas),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      saveModelSettings(other.tenant.id, other.users.admin.id, { provider: "anthropic", model: null }, saas),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("through the API: admins save and reset, members cannot, and a bad URL is a clear 400", async () => {
    const other = await createTenantFixture();
    const tenantSlug = other.tenant.slug;
    await expect(callerFor(other.users.member).model.save({ tenantSlug, provider: "scripted" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      callerFor(other.users.admin).model.save({ tenantSlug, provider: "openai_compatible", baseUrl: "file:///etc/passwd", model: "m" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const saved = await callerFor(other.users.admin).model.save({ tenantSlug, provider: "scripted" });
    expect(saved).toMatchObject({ provider: "scripted", source: "tenant" });
    const reset = await callerFor(other.users.admin).model.reset({ tenantSlug });
    expect(reset.source).toBe("deployment");
  });

  it("a chat turn whose tenant model is not allowed any more gets a clear error, not a crash", async () => {
    const other = await createTenantFixture();
    // Saved in a self_hosted deployment, now served by saas (the test environment): the URL is not on the list.
    await saveModelSettings(
      other.tenant.id,
      other.users.admin.id,
      { provider: "openai_compatible", baseUrl, model: "fake-model" },
      selfHosted,
    );
    const caller = callerFor(other.users.member);
    const conversation = await caller.conversation.create({ tenantSlug: other.tenant.slug });
    await expect(
      caller.conversation.send({ tenantSlug: other.tenant.slug, conversationId: conversation.id, message: "hi" }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("Ask your operator") });
  });
});
