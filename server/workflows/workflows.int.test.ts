// Workflows end to end: definitions outside the allowlist never save, http steps
// go through the SSRF guard (a loopback fake is never reached), each step with a
// side effect is its own gate decision in the run's event log, an approval step
// stops the run and approving it continues the workflow, versions restore, and
// tenants never reach each other's workflows.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgentTurn } from "@/server/agent/loop";
import { scriptedPlanner } from "@/server/agent/planner";
import { withTenant } from "@/server/db";
import { runGate, runGateWith } from "@/server/gate/pipeline";
import { callerFor, createTenantFixture, type TTenantFixture, createRun } from "@/server/test/factories";
import { buildToolRegistry, toolCatalog, type ToolCatalog } from "@/server/tools/catalog";
import { NODE_TYPES } from "./definition";
import { NODE_TOOLS } from "./engine";

type TRequest = { method: string; url: string; body: string };
type TFake = { url: string; requests: TRequest[]; close: () => Promise<void> };

/** A local service on 127.0.0.1 that records every request it gets. */
async function startFake(): Promise<TFake> {
  const requests: TRequest[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", url: request.url ?? "", body });
      response.setHeader("content-type", "application/json");
      if (request.url === "/items") response.end(JSON.stringify({ items: [{ title: "Urgent: invoice 7" }, { title: "later" }] }));
      else if (request.url === "/broken") {
        response.statusCode = 500;
        response.end(JSON.stringify({ error: "down" }));
      } else response.end(JSON.stringify({ received: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function withLocalAllowed<T>(work: () => Promise<T>): Promise<T> {
  process.env.SSRF_ALLOW_ADDRESSES = "127.0.0.1";
  try {
    return await work();
  } finally {
    delete process.env.SSRF_ALLOW_ADDRESSES;
  }
}

async function baselineOnly(tenantId: string): Promise<void> {
  await withTenant(tenantId, (db) => db.policyComposition.create({ data: { tenantId, packs: [{ name: "baseline", version: 1 }] } }));
}

async function decisionsOf(tenantId: string, runId: string) {
  const events = await withTenant(tenantId, (db) =>
    db.event.findMany({ where: { tenantId, runId, type: "policy.decision" }, orderBy: { seq: "asc" } }),
  );
  return events.map((event) => JSON.parse(event.payload) as { tool: string; status: string; principal: string; explanation: string });
}

const member = (fx: TTenantFixture) => ({ type: "User" as const, id: fx.users.member.id, role: "member" });
const tenantRef = (fx: TTenantFixture) => ({ tenantSlug: fx.tenant.slug });

let a: TTenantFixture;
let b: TTenantFixture;
let catalog: ToolCatalog;
let fake: TFake;

beforeAll(async () => {
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
  catalog = await toolCatalog("saas");
  fake = await startFake();
});

afterAll(async () => {
  await fake.close();
});

async function save(fx: TTenantFixture, name: string, definition: unknown) {
  return callerFor(fx.users.admin).workflow.save({ ...tenantRef(fx), name, definition });
}

describe("saving a workflow", () => {
  it("refuses a node type outside the allowlist, naming the node and the allowed types", async () => {
    for (const type of ["shell", "exec", "fs.write", "code"]) {
      const definition = {
        start: "a",
        nodes: [
          { id: "a", type: "transform", set: {}, next: "x" },
          { id: "x", type, command: "touch /tmp/pwned" },
        ],
      };
      await expect(save(a, `bad-${type.replace(".", "-")}`, definition)).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining(
          `Node "x" has type "${type}", which is not an allowed node type. Allowed node types: ${NODE_TYPES.join(", ")}`,
        ),
      });
    }
    const listed = await callerFor(a.users.member).workflow.list(tenantRef(a));
    expect(listed.filter((workflow) => workflow.name.startsWith("bad-"))).toEqual([]);
  });

  it("refuses an http node to a loopback address at save time (SSRF guard)", async () => {
    await expect(
      save(a, "loopback", { start: "a", nodes: [{ id: "a", type: "http", url: "http://127.0.0.1:9/admin" }] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Node "a": the URL is refused by the SSRF guard: Refused: 127\.0\.0\.1 is a loopback address/),
    });
  });

  it("reports problems without saving through validate", async () => {
    const answer = await callerFor(a.users.member).workflow.validate({
      ...tenantRef(a),
      definition: { start: "a", nodes: [{ id: "a", type: "transform", set: {}, next: "b" }] },
    });
    expect(answer).toMatchObject({ isValid: false, errors: ['Node "a" points to "b", which does not exist.'] });
  });

  it("needs the admin role to save", async () => {
    await expect(
      callerFor(a.users.member).workflow.save({
        ...tenantRef(a),
        name: "x",
        definition: { start: "a", nodes: [{ id: "a", type: "transform", set: {} }] },
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("no node type reaches a shell or files, in any mode", () => {
  it("maps every node type only to API tools, even in a self_hosted registry that has shell.exec", async () => {
    const selfHosted = await buildToolRegistry("self_hosted");
    expect(selfHosted.get("shell.exec")?.capability).toBe("local");
    expect(Object.keys(NODE_TOOLS).sort()).toEqual([...NODE_TYPES].sort());
    const tools = Object.values(NODE_TOOLS).flat();
    for (const name of tools) {
      const tool = selfHosted.get(name);
      expect(tool, name).toBeDefined();
      expect(tool?.capability).toBe("api");
      expect(tool?.safetyClass).not.toBe("local_exec");
    }
  });

  it("refuses to run a stored definition with a shell node, even in self_hosted", async () => {
    const selfHosted = await buildToolRegistry("self_hosted");
    await withTenant(a.tenant.id, (db) =>
      db.workflow.create({
        data: {
          tenantId: a.tenant.id,
          name: "smuggled",
          definition: { start: "x", nodes: [{ id: "x", type: "shell", command: "touch /tmp/pwned" }] },
          updatedBy: "user:attacker",
        },
      }),
    );
    const runId = await createRun(a);
    const outcome = await runGateWith(selfHosted, {
      tenantId: a.tenant.id,
      runId,
      principal: member(a),
      tool: "workflow.run",
      args: { name: "smuggled" },
    });
    expect(outcome).toMatchObject({
      status: "failed",
      error: expect.stringContaining('has type "shell", which is not an allowed node type'),
    });
    expect((await decisionsOf(a.tenant.id, runId)).map((decision) => decision.tool)).toEqual(["workflow.run"]);
  });
});

describe("http steps and the SSRF guard", () => {
  it("refuses an http step to a loopback address at the gate; the local service gets no request", async () => {
    const saved = await save(a, "fetch-anything", { start: "get", nodes: [{ id: "get", type: "http", url: "{{input.url}}" }] });
    const before = fake.requests.length;
    const outcome = await callerFor(a.users.member).workflow.run({
      ...tenantRef(a),
      workflowId: saved.id,
      input: { url: `${fake.url}/items` },
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.detail).toMatch(
      /Step "get" \(workflow\.fetch\) was refused at the registry step: .*refused by the SSRF guard: Refused: 127\.0\.0\.1 is a loopback address/,
    );
    expect(fake.requests.length).toBe(before);
    const decisions = await decisionsOf(a.tenant.id, outcome.runId);
    expect(decisions.map((decision) => [decision.tool, decision.status])).toEqual([
      ["workflow.fetch", "denied"],
      ["workflow.run", "failed"],
    ]);
  });

  it("does not let agents use the workflow http tools outside a workflow", async () => {
    await withLocalAllowed(async () => {
      const before = fake.requests.length;
      const outcome = await runGate({
        tenantId: a.tenant.id,
        runId: await createRun(a),
        principal: member(a),
        tool: "workflow.http",
        args: { method: "POST", url: `${fake.url}/notify`, body: { x: 1 } },
      });
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringContaining("runs only as a step of a workflow") });
      expect(fake.requests.length).toBe(before);
    });
  });

  it("does not let agents file a workflow approval hold of their own", async () => {
    const saved = await save(a, `held-${crypto.randomUUID().slice(0, 8)}`, {
      start: "ok",
      nodes: [
        { id: "ok", type: "approval", message: "Go ahead?", next: "done" },
        { id: "done", type: "transform", set: { text: "went ahead" } },
      ],
    });
    const runId = await createRun(a);
    const outcome = await runGate({
      tenantId: a.tenant.id,
      runId,
      principal: member(a),
      tool: "workflow.approval",
      args: {
        workflowId: saved.id,
        version: 1,
        node: "ok",
        message: "trust me",
        hold: crypto.randomUUID(),
        data: { input: {}, nodes: {} },
      },
    });
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringContaining("runs only as a step of a workflow") });
    const holds = await withTenant(a.tenant.id, (db) => db.approvalRequest.count({ where: { tenantId: a.tenant.id, runId } }));
    expect(holds).toBe(0);
  });
});

describe("a workflow run", () => {
  const definition = (base: string) => ({
    start: "fetch",
    nodes: [
      { id: "fetch", type: "http", url: `${base}/items`, next: "pick" },
      { id: "pick", type: "transform", set: { title: "$.nodes.fetch.body.items[0].title", greeting: "Hi {{input.who}}" }, next: "check" },
      {
        id: "check",
        type: "switch",
        cases: [{ value: "$.nodes.pick.title", op: "contains", operand: "Urgent", next: "post" }],
        default: "quiet",
      },
      { id: "quiet", type: "transform", set: { skipped: true } },
      {
        id: "post",
        type: "http",
        method: "POST",
        url: `${base}/notify`,
        body: { title: "$.nodes.pick.title", who: "$.input.who" },
        next: "ok",
      },
      { id: "ok", type: "approval", message: "Tell the team about {{nodes.pick.title}}?", next: "tell" },
      { id: "tell", type: "message", args: { channel: "webhook", text: "{{nodes.pick.greeting}}: {{nodes.pick.title}}" } },
    ],
  });

  it("feeds an http result to a transform and a switch, gates each side effect, and stops at the approval", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await withLocalAllowed(async () => {
      const saved = await save(fx, "urgent-items", definition(fake.url));
      const before = fake.requests.length;
      const outcome = await callerFor(fx.users.member).workflow.run({ ...tenantRef(fx), workflowId: saved.id, input: { who: "ops" } });
      expect(outcome).toMatchObject({ status: "waiting_approval", result: { status: "waiting_approval", node: "ok" } });
      expect(outcome.result).toMatchObject({ visited: ["fetch", "pick", "check", "post", "ok"] });
      const seen = fake.requests.slice(before);
      expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual(["GET /items", "POST /notify"]);
      expect(JSON.parse(seen[1]?.body ?? "{}")).toEqual({ title: "Urgent: invoice 7", who: "ops" });

      // Each side effect is its own decision, as the member who ran it; nothing after the approval ran.
      const decisions = await decisionsOf(fx.tenant.id, outcome.runId);
      expect(decisions.map((decision) => [decision.tool, decision.status])).toEqual([
        ["workflow.fetch", "executed"],
        ["workflow.http", "executed"],
        ["workflow.approval", "executed"],
        ["workflow.run", "executed"],
      ]);
      expect(new Set(decisions.map((decision) => decision.principal))).toEqual(new Set([`user:${fx.users.member.id}`]));
      const { run, hold } = await withTenant(fx.tenant.id, async (db) => ({
        run: await db.run.findUniqueOrThrow({ where: { id: outcome.runId } }),
        hold: await db.approvalRequest.findFirstOrThrow({ where: { tenantId: fx.tenant.id, runId: outcome.runId } }),
      }));
      expect(run.status).toBe("waiting_approval");
      expect(hold).toMatchObject({ tool: "workflow.approval", status: "pending" });

      // Approving the hold (as the inbox does: the approved call is executed) continues after the step.
      await withTenant(fx.tenant.id, (db) => db.approvalRequest.update({ where: { id: hold.id }, data: { status: "approved" } }));
      const resumed = await runGate({
        tenantId: fx.tenant.id,
        runId: outcome.runId,
        principal: member(fx),
        tool: hold.tool,
        args: hold.args,
      });
      expect(resumed).toMatchObject({ status: "executed", result: { status: "completed", visited: ["tell"] } });
      const after = await decisionsOf(fx.tenant.id, outcome.runId);
      expect(after.slice(4).map((decision) => [decision.tool, decision.status])).toEqual([
        ["message.send", "executed"],
        ["workflow.approval", "executed"],
      ]);
      const outbox = await withTenant(fx.tenant.id, (db) =>
        db.outboxMessage.findMany({ where: { tenantId: fx.tenant.id, runId: outcome.runId } }),
      );
      expect(outbox).toHaveLength(1);
      expect(JSON.stringify(outbox[0]?.payload)).toContain("Hi ops: Urgent: invoice 7");
      expect(fake.requests.length).toBe(before + 2);
    });
  });

  it("takes the switch's default branch when no case matches", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await withLocalAllowed(async () => {
      const quiet = definition(fake.url);
      const check = quiet.nodes.find((node) => node.id === "check") as { cases: { operand: string }[] };
      check.cases[0] = { ...check.cases[0], operand: "nothing like this" } as never;
      const saved = await save(fx, "quiet-items", quiet);
      const outcome = await callerFor(fx.users.member).workflow.run({ ...tenantRef(fx), workflowId: saved.id, input: { who: "ops" } });
      expect(outcome).toMatchObject({
        status: "completed",
        result: { visited: ["fetch", "pick", "check", "quiet"], output: { skipped: true } },
      });
    });
  });

  it("ends when the approval is denied", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    const saved = await save(fx, "ask-first", {
      start: "ok",
      nodes: [
        { id: "ok", type: "approval", message: "Go?", next: "tell" },
        { id: "tell", type: "message", args: { channel: "webhook", text: "went" } },
      ],
    });
    const outcome = await callerFor(fx.users.member).workflow.run({ ...tenantRef(fx), workflowId: saved.id });
    expect(outcome.status).toBe("waiting_approval");
    const hold = await withTenant(fx.tenant.id, async (db) => {
      const request = await db.approvalRequest.findFirstOrThrow({ where: { tenantId: fx.tenant.id, runId: outcome.runId } });
      return db.approvalRequest.update({ where: { id: request.id }, data: { status: "denied" } });
    });
    const again = await runGate({
      tenantId: fx.tenant.id,
      runId: outcome.runId,
      principal: member(fx),
      tool: hold.tool,
      args: hold.args,
    });
    expect(again).toMatchObject({ status: "failed", error: expect.stringContaining('The approval of step "ok" was denied') });
    expect((await decisionsOf(fx.tenant.id, outcome.runId)).map((decision) => decision.tool)).not.toContain("message.send");
  });

  it("holds an external step of a tainted run under the default packs (each step meets policy on its own)", async () => {
    const fx = await createTenantFixture();
    await withLocalAllowed(async () => {
      const saved = await save(fx, "urgent-items", definition(fake.url));
      const before = fake.requests.length;
      const outcome = await callerFor(fx.users.member).workflow.run({ ...tenantRef(fx), workflowId: saved.id, input: { who: "ops" } });
      expect(outcome).toMatchObject({ status: "waiting_approval", result: { node: "post" } });
      expect(fake.requests.slice(before).map((request) => request.method)).toEqual(["GET"]);
      const decisions = await decisionsOf(fx.tenant.id, outcome.runId);
      expect(decisions[1]).toMatchObject({
        tool: "workflow.http",
        status: "held",
        explanation: expect.stringContaining("untrusted content"),
      });
    });
  });

  it("stops at a 5xx answer unless the step continues on errors", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await withLocalAllowed(async () => {
      const saved = await save(fx, "broken", {
        start: "get",
        nodes: [
          { id: "get", type: "http", url: `${fake.url}/broken`, next: "after" },
          { id: "after", type: "transform", set: { status: "$.nodes.get.status" } },
        ],
      });
      const outcome = await callerFor(fx.users.member).workflow.run({ ...tenantRef(fx), workflowId: saved.id });
      expect(outcome).toMatchObject({ status: "failed", detail: expect.stringContaining('Step "get" got HTTP 500') });
    });
  });
});

describe("versions", () => {
  it("keeps every save and the delete as versions, and restores an earlier one", async () => {
    const admin = callerFor(a.users.admin);
    const v1 = { start: "a", nodes: [{ id: "a", type: "transform", set: { n: 1 } }] };
    const v2 = { start: "a", nodes: [{ id: "a", type: "transform", set: { n: 2 } }] };
    const saved = await save(a, "numbers", v1);
    await admin.workflow.save({ ...tenantRef(a), workflowId: saved.id, name: "numbers", definition: v2 });
    await admin.workflow.delete({ ...tenantRef(a), workflowId: saved.id });
    await expect(admin.workflow.get({ ...tenantRef(a), workflowId: saved.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const trash = await admin.recovery.trash({ ...tenantRef(a), kind: "workflow" });
    expect(trash.items.map((item) => item.title)).toContain("numbers");
    const versions = await admin.recovery.versions({ ...tenantRef(a), kind: "workflow", id: saved.id });
    expect(versions.map((version) => [version.version, version.isDeleted])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    await expect(
      callerFor(a.users.member).recovery.restoreVersion({ ...tenantRef(a), kind: "workflow", id: saved.id, version: 1 }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await admin.recovery.restoreVersion({ ...tenantRef(a), kind: "workflow", id: saved.id, version: 1 });
    const restored = await admin.workflow.get({ ...tenantRef(a), workflowId: saved.id });
    expect(restored).toMatchObject({ version: 4, definition: { nodes: [{ set: { n: 1 } }] } });
  });

  it("does not restore a stored version that fails today's allowlist", async () => {
    const saved = await save(a, "was-fine", { start: "a", nodes: [{ id: "a", type: "transform", set: {} }] });
    await withTenant(a.tenant.id, (db) =>
      db.workflowVersion.create({
        data: {
          tenantId: a.tenant.id,
          workflowId: saved.id,
          version: 99,
          name: "was-fine",
          description: "",
          definition: { start: "x", nodes: [{ id: "x", type: "exec", argv: ["sh"] }] },
          actor: "user:attacker",
        },
      }),
    );
    await expect(
      callerFor(a.users.admin).recovery.restoreVersion({ ...tenantRef(a), kind: "workflow", id: saved.id, version: 99 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining('type "exec", which is not an allowed node type') });
  });
});

describe("tenant isolation", () => {
  it("tenant A can neither read nor run tenant B's workflow by id", async () => {
    const secret = await save(b, "b-secret", { start: "a", nodes: [{ id: "a", type: "transform", set: { code: "globex-7731" } }] });
    const member = callerFor(a.users.owner);
    await expect(member.workflow.get({ ...tenantRef(a), workflowId: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(member.workflow.run({ ...tenantRef(a), workflowId: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(member.workflow.delete({ ...tenantRef(a), workflowId: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const runId = await createRun(a);
    const outcome = await runGate({
      tenantId: a.tenant.id,
      runId,
      principal: { type: "User", id: a.users.member.id, role: "member" },
      tool: "workflow.run",
      args: { workflowId: secret.id },
    });
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringContaining("There is no workflow with id") });
    expect(JSON.stringify(await decisionsOf(a.tenant.id, runId))).not.toContain("globex-7731");
  });
});

describe("agents", () => {
  it("run a workflow by name through the gate, and read skills", async () => {
    const fx = await createTenantFixture();
    await save(fx, "hello", { start: "say", nodes: [{ id: "say", type: "transform", set: { text: "hello from a workflow" } }] });
    await callerFor(fx.users.admin).skill.create({ ...tenantRef(fx), name: "tone", description: "How to sound", body: "Be brief." });
    const principal = { type: "User" as const, id: fx.users.member.id, role: "member", label: `user:${fx.users.member.email}` };
    const turn = await runAgentTurn(catalog, scriptedPlanner, { tenantId: fx.tenant.id, principal, message: "run workflow hello" });
    expect(turn.steps[0]).toMatchObject({
      tool: "workflow.run",
      args: { name: "hello" },
      outcome: { status: "executed", result: { status: "completed", output: { text: "hello from a workflow" } } },
    });
    const skills = await runAgentTurn(catalog, scriptedPlanner, {
      tenantId: fx.tenant.id,
      principal,
      message: "what skills do you have?",
    });
    expect(skills.steps[0]).toMatchObject({ tool: "skills.list", outcome: { status: "executed", result: { skills: [{ name: "tone" }] } } });
    const skill = await runAgentTurn(catalog, scriptedPlanner, { tenantId: fx.tenant.id, principal, message: "show skill tone" });
    expect(skill.steps[0]).toMatchObject({ tool: "skills.get", outcome: { status: "executed", result: { body: "Be brief." } } });
  });

  it("an agent's workflow that stops at an approval step leaves the turn and the run waiting", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await save(fx, "needs-ok", {
      start: "ok",
      nodes: [
        { id: "ok", type: "approval", message: "Go ahead?", next: "done" },
        { id: "done", type: "transform", set: { text: "went ahead" } },
      ],
    });
    const principal = { type: "User" as const, id: fx.users.member.id, role: "member", label: `user:${fx.users.member.email}` };
    const turn = await runAgentTurn(catalog, scriptedPlanner, { tenantId: fx.tenant.id, principal, message: "run workflow needs-ok" });
    expect(turn.status).toBe("waiting_approval");
    expect(turn.reply).toContain("waiting for approval");
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: turn.runId } }));
    expect(run).toMatchObject({ status: "waiting_approval", endedAt: null });
  });
});
