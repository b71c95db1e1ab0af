// The gate in saas mode: no local tool exists or executes, whatever is planned;
// the attack corpus ends in refusals or holds; tenants never see or change each
// other's decisions; every denial is explained, audited and in the event log.
// The registry here is the one installPlugins() handed the gate (the test setup
// runs it, as server start does): runGate looks tools up in nothing else.
import fc from "fast-check";
import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { scriptedPlan } from "@/server/agent/scripted-planner";
import { runAgentTurn } from "@/server/agent/loop";
import { createTenantFixture, type TTenantFixture, createRun } from "@/server/test/factories";
import { toolCatalog, toolRegistry, type ToolCatalog } from "@/server/tools/catalog";
import { ToolRegistry } from "@/server/tools/registry";
import type { TAnyTool } from "@/server/tools/types";
import { ATTACKS } from "./attacks";
import { decideCallWith, runGate } from "./pipeline";
import { gatePlugins, setGatePlugins } from "./plugins";

let registry: ToolRegistry;
let catalog: ToolCatalog;
let a: TTenantFixture;
let b: TTenantFixture;
const B_SECRET = "globex-launch-code-7731";

async function holdMemoryDelete(tenantId: string): Promise<void> {
  await withTenant(tenantId, (db) =>
    db.policyComposition.create({
      data: {
        tenantId,
        packs: [
          { name: "baseline", version: 1 },
          { name: "treasury", version: 1 },
          { name: "pii-strict", version: 1 },
          { name: "external-tools-untrusted", version: 1 },
        ],
        tenantPolicies:
          '@id("hold-memory-delete") @effect("require_approval") @reason("deleting memory needs approval") forbid (principal, action == Action::"memory.delete", resource);',
      },
    }),
  );
}

const member = (fx: TTenantFixture) => ({
  type: "User" as const,
  id: fx.users.member.id,
  role: "member",
  label: `user:${fx.users.member.email}`,
});
const planner = async ({ message, results }: { message: string; results: unknown[] }) => scriptedPlan(message, results.length);

beforeAll(async () => {
  registry = await gatePlugins().tools();
  catalog = await toolCatalog("saas");
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
  await Promise.all([holdMemoryDelete(a.tenant.id), holdMemoryDelete(b.tenant.id)]);
  // Tenant B remembers a secret that A must never read.
  const runB = await createRun(b);
  await runGate({
    tenantId: b.tenant.id,
    runId: runB,
    principal: member(b),
    tool: "memory.set",
    args: { key: "launch", value: B_SECRET },
  });
});

describe("the registry in saas", () => {
  it("holds no local tool, and refuses to register one", () => {
    expect(registry.list().filter((tool) => tool.capability === "local")).toEqual([]);
    expect(registry.names().sort()).toEqual(
      [
        "memory.get",
        "memory.set",
        "memory.search",
        "memory.delete",
        "sheets.read",
        "sheets.append",
        "payments.transfer",
        "whatsapp.send",
        "message.send",
        "web.fetch",
        "web.post",
        "web.search",
        "cron.schedule",
        "cron.list",
        "cron.cancel",
        "skills.list",
        "skills.get",
        "workflow.run",
        "workflow.fetch",
        "workflow.http",
        "workflow.approval",
      ].sort(),
    );
    expect(registry.list().every((tool) => tool.capability === "api")).toBe(true);
    const shell = { name: "shell.exec", capability: "local", safetyClass: "local_exec" } as unknown as TAnyTool;
    expect(() => new ToolRegistry("saas").register(shell)).toThrow(/cannot be registered in saas/);
  });
});

describe("the tools the gate is handed at start-up", () => {
  it("are the deployment's registry, and the only place runGate looks a tool up", async () => {
    expect(registry).toBe(await toolRegistry("saas"));
    const shell = await runGate({ tenantId: a.tenant.id, runId: await createRun(a), principal: member(a), tool: "shell.exec", args: {} });
    expect(shell).toMatchObject({ status: "denied", decision: { step: "registry" } });
    expect(shell.decision.explanation).toContain('There is no tool "shell.exec" in this saas deployment');

    // Another registry installed: runGate follows it (here, one without memory.get).
    const installed = gatePlugins();
    setGatePlugins({ ...installed, tools: async () => new ToolRegistry("saas") });
    try {
      const outcome = await runGate({
        tenantId: a.tenant.id,
        runId: await createRun(a),
        principal: member(a),
        tool: "memory.get",
        args: { key: "launch" },
      });
      expect(outcome).toMatchObject({ status: "denied", decision: { step: "registry" } });
      expect(outcome.decision.explanation).toContain('There is no tool "memory.get" in this saas deployment');
    } finally {
      setGatePlugins(installed);
    }
  });
});

describe("arbitrary plans in saas", () => {
  it("never execute a local tool and never read outside the tenant", async () => {
    const runA = await createRun(a);
    const toolNames = fc.oneof(
      fc.constantFrom(
        "shell.exec",
        "fs.read",
        "fs.write",
        "fs.edit",
        "fs.list",
        "process.spawn",
        "memory.get",
        "memory.search",
        "memory.set",
        "memory.delete",
      ),
      fc.string(),
      fc.anything(),
    );
    const args = fc.oneof(
      fc.anything(),
      fc.record(
        {
          key: fc.oneof(fc.constant("launch"), fc.string()),
          query: fc.oneof(fc.constant(""), fc.constant("launch"), fc.string()),
          value: fc.string(),
          tenantId: fc.constant(b.tenant.id),
          all: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(toolNames, args, async (tool, input) => {
        const outcome = await decideCallWith(registry, {
          tenantId: a.tenant.id,
          runId: runA,
          principal: member(a),
          tool: tool as string,
          args: input,
        });
        const executedTool = outcome.status === "executed" ? registry.get(tool as string) : undefined;
        if (outcome.status === "executed") expect(executedTool?.capability).toBe("api");
        if (typeof tool === "string" && /^(shell|fs|process)\./.test(tool))
          expect(outcome).toMatchObject({ status: "denied", decision: { step: "registry" } });
        expect(JSON.stringify(outcome)).not.toContain(B_SECRET);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the attack corpus", () => {
  it("has at least 40 plans", () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(40);
  });

  for (const attack of ATTACKS) {
    it(`${attack.name} → ${attack.expect}`, async () => {
      if ("message" in attack) {
        const result = await runAgentTurn(catalog, planner, {
          tenantId: a.tenant.id,
          principal: member(a),
          message: attack.message,
          isTainted: attack.afterUntrusted ?? false,
        });
        const statuses = result.steps.map((step) => step.outcome.status);
        expect(statuses).not.toContain("executed");
        expect(statuses).toContain(attack.expect);
      } else {
        const runId = await createRun(a);
        if (attack.afterUntrusted)
          await withTenant(a.tenant.id, (db) => db.run.update({ where: { id: runId }, data: { isTainted: true } }));
        const outcome = await runGate({
          tenantId: a.tenant.id,
          runId,
          principal: member(a),
          tool: attack.call.tool as string,
          args: attack.call.args,
        });
        expect(outcome.status).toBe(attack.expect);
        expect(outcome.decision.explanation.length).toBeGreaterThan(10);
      }
    });
  }
});

describe("tenant isolation of decisions", () => {
  it("tenant A's overrides and taint never change tenant B's decisions", async () => {
    const [x, y] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    const runY = await createRun(y);
    const calls = fc.record({
      tool: fc.constantFrom("memory.get", "memory.set", "memory.search", "memory.delete", "shell.exec"),
      args: fc.constantFrom({ key: "k" }, { key: "k", value: "v" }, { query: "" }, { all: true }, { command: "ls" }),
    });
    const decisionsOfY = async (list: { tool: string; args: unknown }[]) => {
      const out: string[] = [];
      for (const call of list) {
        const outcome = await decideCallWith(registry, { tenantId: y.tenant.id, runId: runY, principal: member(y), ...call });
        out.push(`${outcome.status}:${outcome.decision.step}:${outcome.decision.policies.map((policy) => policy.id).join(",")}`);
      }
      return out;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(calls, { minLength: 1, maxLength: 5 }), async (list) => {
        const before = await decisionsOfY(list);
        await withTenant(x.tenant.id, async (db) => {
          await db.policyComposition.upsert({
            where: { tenantId: x.tenant.id },
            create: {
              tenantId: x.tenant.id,
              packs: [{ name: "baseline", version: 1 }],
              tenantPolicies: '@id("deny-all") forbid (principal, action, resource);',
            },
            update: { tenantPolicies: '@id("deny-all") forbid (principal, action, resource);' },
          });
          await db.tenantToolSetting.upsert({
            where: { tenantId_tool: { tenantId: x.tenant.id, tool: "memory.get" } },
            create: { tenantId: x.tenant.id, tool: "memory.get", isEnabled: false },
            update: { isEnabled: false },
          });
          await db.run.updateMany({ where: { tenantId: x.tenant.id }, data: { isTainted: true } });
        });
        expect(await decisionsOfY(list)).toEqual(before);
      }),
      { numRuns: 8 },
    );
  });
});

describe("denials", () => {
  it("carry their explanation and are in the audit log and the event log", async () => {
    const runA = await createRun(a);
    const outcome = await runGate({
      tenantId: a.tenant.id,
      runId: runA,
      principal: member(a),
      tool: "shell.exec",
      args: { command: "rm -rf /" },
    });
    expect(outcome).toMatchObject({ status: "denied", decision: { step: "registry", effect: "deny" } });
    expect(outcome.decision.explanation).toContain("Shell, file system and process tools do not exist in saas");
    const [audit, events] = await withTenant(
      a.tenant.id,
      async (db) =>
        [
          await db.auditLog.findFirst({ where: { tenantId: a.tenant.id, action: "gate.denied", data: { path: ["runId"], equals: runA } } }),
          await db.event.findMany({ where: { tenantId: a.tenant.id, runId: runA, type: "policy.decision" } }),
        ] as const,
    );
    expect(audit?.data).toMatchObject({ step: "registry", explanation: expect.stringContaining("shell.exec") });
    expect(JSON.parse(events[0]?.payload ?? "{}")).toMatchObject({ tool: "shell.exec", status: "denied", step: "registry" });
  });

  it("a policy denial names the pack, version and policy", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (db) =>
      db.policyComposition.create({
        data: {
          tenantId: fx.tenant.id,
          packs: [{ name: "baseline", version: 1 }],
          tenantPolicies: '@id("no-search") @reason("search is off") forbid (principal, action == Action::"memory.search", resource);',
        },
      }),
    );
    const outcome = await runGate({
      tenantId: fx.tenant.id,
      runId: await createRun(fx),
      principal: member(fx),
      tool: "memory.search",
      args: { query: "" },
    });
    expect(outcome).toMatchObject({
      status: "denied",
      decision: { step: "policy", policies: [{ id: "tenant@v0/no-search", pack: "tenant", version: 0 }] },
    });
    expect(outcome.decision.explanation).toContain("search is off");
  });

  it("a viewer is refused by default deny, and a run of another tenant is refused at the tenant step", async () => {
    const viewer = { type: "User" as const, id: a.users.viewer.id, role: "viewer" };
    expect(
      await decideCallWith(registry, {
        tenantId: a.tenant.id,
        runId: await createRun(a),
        principal: viewer,
        tool: "memory.get",
        args: { key: "x" },
      }),
    ).toMatchObject({
      status: "denied",
      decision: { step: "policy", explanation: "no policy permits this call (default deny)" },
    });
    expect(
      await decideCallWith(registry, {
        tenantId: a.tenant.id,
        runId: await createRun(b),
        principal: member(a),
        tool: "memory.get",
        args: { key: "launch" },
      }),
    ).toMatchObject({
      status: "denied",
      decision: { step: "tenant" },
    });
    expect(
      await decideCallWith(registry, {
        tenantId: a.tenant.id,
        runId: "not-a-run",
        principal: member(a),
        tool: "memory.get",
        args: { key: "x" },
      }),
    ).toMatchObject({ status: "denied", decision: { step: "tenant" } });
  });

  it("a fault reading a tool's policy fields denies the call without telling the fault's text", async () => {
    const probe: TAnyTool = {
      name: "probe.fields",
      description: "test tool whose policy fields come from a failing read",
      input: z.object({ to: z.string() }),
      safetyClass: "read_only",
      capability: "api",
      policyFields: () => {
        throw new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
      },
      execute: () => Promise.resolve("never"),
    };
    const withProbe = new ToolRegistry("saas");
    withProbe.register(probe);
    const outcome = await decideCallWith(withProbe, {
      tenantId: a.tenant.id,
      runId: await createRun(a),
      principal: member(a),
      tool: "probe.fields",
      args: { to: "x" },
    });
    expect(outcome).toMatchObject({ status: "denied", decision: { step: "policy" } });
    expect(outcome.decision.explanation).toBe("The fields policies route on could not be read: an internal error (logged)");
  });
});

describe("memory through the gate", () => {
  it("remembers, recalls, and a held delete leaves everything in place", async () => {
    const fx = await createTenantFixture();
    await holdMemoryDelete(fx.tenant.id);
    const remember = await runAgentTurn(catalog, planner, {
      tenantId: fx.tenant.id,
      principal: member(fx),
      message: "remember that the launch is on Friday",
    });
    expect(remember.steps[0]?.outcome).toMatchObject({ status: "executed", result: { key: "launch-friday" } });
    const recall = await runAgentTurn(catalog, planner, {
      tenantId: fx.tenant.id,
      principal: member(fx),
      message: "what do you remember about launch",
    });
    expect(JSON.stringify(recall.steps[0]?.outcome)).toContain("the launch is on Friday");
    const wipe = await runAgentTurn(catalog, planner, {
      tenantId: fx.tenant.id,
      principal: member(fx),
      message: "delete everything you remember",
    });
    expect(wipe).toMatchObject({ status: "waiting_approval", steps: [{ outcome: { status: "held" } }] });
    expect(wipe.reply).toContain("waiting for approval");
    const still = await withTenant(fx.tenant.id, (db) => db.memoryEntry.count({ where: { tenantId: fx.tenant.id, deletedAt: null } }));
    expect(still).toBe(1);
  });
});
