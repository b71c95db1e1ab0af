// A tenant's tool switches: what tool.setEnabled writes is what the gate's
// tenant step reads, for that tenant only; changes are audited and admin-only.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { env } from "@/server/env";
import { decideCallWith } from "@/server/gate/pipeline";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { toolRegistry } from "./catalog";
import type { ToolRegistry } from "./registry";

let registry: ToolRegistry;
let a: TTenantFixture;
let b: TTenantFixture;

async function rememberAs(fx: TTenantFixture) {
  const runId = await withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "tools", principal: "user:test" } })).id,
  );
  return decideCallWith(registry, {
    tenantId: fx.tenant.id,
    runId,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool: "memory.set",
    args: { key: "launch", value: "Friday" },
  });
}

async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  registry = await toolRegistry(env.DEPLOYMENT_MODE);
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
});

describe("tool settings", () => {
  it("lists every tool of the deployment, enabled by default, to any member", async () => {
    const tools = await callerFor(a.users.viewer).tool.list({ tenantSlug: a.tenant.slug });
    expect(tools.map((tool) => tool.name)).toEqual(registry.names());
    expect(tools.every((tool) => tool.isEnabled)).toBe(true);
    expect(tools.find((tool) => tool.name === "memory.set")).toMatchObject({ safetyClass: "write_internal", capability: "api" });
  });

  it("turning memory.set off for A stops it for A only, and turning it on restores it", async () => {
    expect(await rememberAs(a)).toMatchObject({ status: "executed" });

    const off = await callerFor(a.users.admin).tool.setEnabled({ tenantSlug: a.tenant.slug, tool: "memory.set", isEnabled: false });
    expect(off).toMatchObject({ name: "memory.set", isEnabled: false });
    const listed = await callerFor(a.users.viewer).tool.list({ tenantSlug: a.tenant.slug });
    expect(listed.find((tool) => tool.name === "memory.set")?.isEnabled).toBe(false);

    const denied = await rememberAs(a);
    expect(denied).toMatchObject({ status: "denied", decision: { step: "tenant", effect: "deny" } });
    expect(denied.decision.explanation).toContain("turned off");
    expect(await rememberAs(b)).toMatchObject({ status: "executed" });
    const listedForB = await callerFor(b.users.viewer).tool.list({ tenantSlug: b.tenant.slug });
    expect(listedForB.find((tool) => tool.name === "memory.set")?.isEnabled).toBe(true);

    await callerFor(a.users.owner).tool.setEnabled({ tenantSlug: a.tenant.slug, tool: "memory.set", isEnabled: true });
    expect(await rememberAs(a)).toMatchObject({ status: "executed" });
  });

  it("each change is in A's audit log with who made it, and nothing in B's", async () => {
    const entries = await callerFor(a.users.admin).audit.list({ tenantSlug: a.tenant.slug, limit: 50 });
    const changes = entries.items.filter((entry) => entry.targetType === "tool" && entry.action.startsWith("tool."));
    expect(changes.map((entry) => entry.action)).toEqual(["tool.enabled", "tool.disabled"]);
    // The call refused while the switch was off is audited too, as the gate's denial.
    expect(entries.items.filter((entry) => entry.action === "gate.denied")).toMatchObject([
      { targetType: "tool", targetId: "memory.set", data: { step: "tenant" } },
    ]);
    expect(changes[1]).toMatchObject({
      targetId: "memory.set",
      actor: a.users.admin.email,
      data: { tool: "memory.set", from: true, to: false },
    });
    expect(changes[0]?.actor).toBe(a.users.owner.email);
    const ofB = await callerFor(b.users.admin).audit.list({ tenantSlug: b.tenant.slug, limit: 50 });
    expect(ofB.items.filter((entry) => entry.targetType === "tool")).toEqual([]);
  });

  it("setting a tool to what it already is changes nothing and audits nothing", async () => {
    const fx = await createTenantFixture();
    await callerFor(fx.users.admin).tool.setEnabled({ tenantSlug: fx.tenant.slug, tool: "memory.get", isEnabled: true });
    const entries = await callerFor(fx.users.admin).audit.list({ tenantSlug: fx.tenant.slug, limit: 50 });
    expect(entries.items.filter((entry) => entry.targetType === "tool")).toEqual([]);
  });

  it("refuses a tool this deployment does not have, naming it", async () => {
    const error = await errorOf(
      callerFor(a.users.admin).tool.setEnabled({ tenantSlug: a.tenant.slug, tool: "shell.exek", isEnabled: false }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain('There is no tool "shell.exek"');
    const rows = await withTenant(a.tenant.id, (db) =>
      db.tenantToolSetting.count({ where: { tenantId: a.tenant.id, tool: "shell.exek" } }),
    );
    expect(rows).toBe(0);
  });

  it("a member cannot change a switch, and another tenant's admin does not see this tenant", async () => {
    const asMember = await errorOf(
      callerFor(a.users.member).tool.setEnabled({ tenantSlug: a.tenant.slug, tool: "memory.set", isEnabled: false }),
    );
    expect(asMember.code).toBe("FORBIDDEN");
    const asOutsider = await errorOf(
      callerFor(b.users.admin).tool.setEnabled({ tenantSlug: a.tenant.slug, tool: "memory.set", isEnabled: false }),
    );
    expect(asOutsider.code).toBe("NOT_FOUND");
    expect(await rememberAs(a)).toMatchObject({ status: "executed" });
  });
});
