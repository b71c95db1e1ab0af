// Recovery of the agent's memory: what an agent deletes through the gate stays
// restorable, restore brings back the exact previous version, history shows every
// step, and a tenant can never see or restore another tenant's trash.
import { beforeAll, describe, expect, it } from "vitest";
import { runAgentTurn } from "@/server/agent/loop";
import { scriptedPlan } from "@/server/agent/scripted-planner";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { callerFor, callPath, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { toolCatalog, type ToolCatalog } from "@/server/tools/catalog";
import { RECOVERABLE_KINDS } from "./kinds";
import type { TRecoverableKind } from "./types";

let catalog: ToolCatalog;

const member = (fx: TTenantFixture) => ({
  type: "User" as const,
  id: fx.users.member.id,
  role: "member",
  label: `user:${fx.users.member.email}`,
});
const planner = async ({ message, results }: { message: string; results: unknown[] }) => scriptedPlan(message, results.length);

/** Only the baseline pack: unlike the demo tenants, nothing holds memory.delete. */
async function baselineOnly(tenantId: string): Promise<void> {
  await withTenant(tenantId, (db) => db.policyComposition.create({ data: { tenantId, packs: [{ name: "baseline", version: 1 }] } }));
}

async function gateCall(fx: TTenantFixture, tool: string, args: unknown) {
  const runId = await withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "recovery test", principal: member(fx).label } })).id,
  );
  return runGate({ tenantId: fx.tenant.id, runId, principal: member(fx), tool, args });
}

async function entryId(fx: TTenantFixture, key: string): Promise<string> {
  return withTenant(
    fx.tenant.id,
    async (db) => (await db.memoryEntry.findUniqueOrThrow({ where: { tenantId_key: { tenantId: fx.tenant.id, key } } })).id,
  );
}

beforeAll(async () => {
  catalog = await toolCatalog("saas");
});

describe("an agent's memory wipe", () => {
  let fx: TTenantFixture;

  beforeAll(async () => {
    fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await gateCall(fx, "memory.set", { key: "launch", value: "Friday" });
    await gateCall(fx, "memory.set", { key: "launch", value: "Monday" });
    await gateCall(fx, "memory.set", { key: "budget", value: "40k" });
    const wipe = await runAgentTurn(catalog, planner, {
      tenantId: fx.tenant.id,
      principal: member(fx),
      message: "delete everything you remember",
    });
    expect(wipe.steps).toMatchObject([
      { tool: "memory.delete", args: { all: true }, outcome: { status: "executed", result: { restorable: true } } },
    ]);
  });

  it("leaves every entry in the Trash, with who deleted it and when", async () => {
    const search = await gateCall(fx, "memory.search", { query: "" });
    expect(search).toMatchObject({ status: "executed", result: { entries: [] } });
    const trash = await callerFor(fx.users.member).recovery.trash({ tenantSlug: fx.tenant.slug });
    expect(trash.purgeAfterDays).toBe(30);
    expect(trash.items.map((item) => [item.kind, item.title, item.deletedBy, item.version]).sort()).toEqual([
      ["memory", "budget", `user:${fx.users.member.email}`, 2],
      ["memory", "launch", `user:${fx.users.member.email}`, 3],
    ]);
    for (const item of trash.items) {
      expect(Date.now() - item.deletedAt.getTime()).toBeLessThan(60_000);
      expect(item.purgesAt.getTime() - item.deletedAt.getTime()).toBe(30 * 24 * 60 * 60 * 1000);
    }
  });

  it("restore brings back the exact previous version, and the history shows set → delete → restore", async () => {
    const id = await entryId(fx, "launch");
    await callerFor(fx.users.member).recovery.restore({ tenantSlug: fx.tenant.slug, kind: "memory", id });
    expect(await gateCall(fx, "memory.get", { key: "launch" })).toMatchObject({
      status: "executed",
      result: { key: "launch", value: "Monday", version: 4 },
    });
    const versions = await callerFor(fx.users.member).recovery.versions({ tenantSlug: fx.tenant.slug, kind: "memory", id });
    expect(versions.map((version) => [version.version, version.content, version.isDeleted, version.actor])).toEqual([
      [4, "Monday", false, `user:${fx.users.member.email}`],
      [3, "Monday", true, `user:${fx.users.member.email}`],
      [2, "Monday", false, `user:${fx.users.member.email}`],
      [1, "Friday", false, `user:${fx.users.member.email}`],
    ]);
    const trash = await callerFor(fx.users.member).recovery.trash({ tenantSlug: fx.tenant.slug, kind: "memory" });
    expect(trash.items.map((item) => item.title)).toEqual(["budget"]);
    // Restoring twice is a clear conflict, not a silent second version.
    expect(await callPath(fx.users.member, "recovery.restore", { tenantSlug: fx.tenant.slug, kind: "memory", id })).toBe("CONFLICT");
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findMany({ where: { tenantId: fx.tenant.id, action: "recovery.restored", targetId: id } }),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorUserId).toBe(fx.users.member.id);
  });

  it("restores an older version as a new one, also straight out of the Trash", async () => {
    const launch = await entryId(fx, "launch");
    await callerFor(fx.users.member).recovery.restoreVersion({ tenantSlug: fx.tenant.slug, kind: "memory", id: launch, version: 1 });
    expect(await gateCall(fx, "memory.get", { key: "launch" })).toMatchObject({ result: { value: "Friday", version: 5 } });

    const budget = await entryId(fx, "budget");
    await callerFor(fx.users.admin).recovery.restoreVersion({ tenantSlug: fx.tenant.slug, kind: "memory", id: budget, version: 1 });
    expect(await gateCall(fx, "memory.get", { key: "budget" })).toMatchObject({ result: { value: "40k", version: 3 } });
    const versions = await callerFor(fx.users.member).recovery.versions({ tenantSlug: fx.tenant.slug, kind: "memory", id: budget });
    expect(versions[0]).toMatchObject({ version: 3, isDeleted: false, actor: `user:${fx.users.admin.email}` });
    expect((await callerFor(fx.users.member).recovery.trash({ tenantSlug: fx.tenant.slug })).items).toEqual([]);

    expect(
      await callPath(fx.users.member, "recovery.restoreVersion", { tenantSlug: fx.tenant.slug, kind: "memory", id: launch, version: 99 }),
    ).toBe("NOT_FOUND");
  });
});

describe("a person's delete from the Memory page", () => {
  it("is soft, recorded with who did it, audited, and restorable like the agent's", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await gateCall(fx, "memory.set", { key: "office", value: "Berlin" });
    const caller = callerFor(fx.users.member);
    const [entry] = await caller.memory.list({ tenantSlug: fx.tenant.slug });
    expect(entry).toMatchObject({ key: "office", value: "Berlin", version: 1, updatedBy: `user:${fx.users.member.email}` });
    if (!entry) throw new Error("no entry");

    await caller.memory.remove({ tenantSlug: fx.tenant.slug, entryId: entry.id });
    expect(await caller.memory.list({ tenantSlug: fx.tenant.slug })).toEqual([]);
    expect(await callPath(fx.users.member, "memory.remove", { tenantSlug: fx.tenant.slug, entryId: entry.id })).toBe("CONFLICT");
    const trash = await caller.recovery.trash({ tenantSlug: fx.tenant.slug });
    expect(trash.items).toMatchObject([
      { kind: "memory", id: entry.id, title: "office", deletedBy: `user:${fx.users.member.email}`, version: 2 },
    ]);
    expect(
      await withTenant(fx.tenant.id, (db) =>
        db.auditLog.count({ where: { tenantId: fx.tenant.id, action: "memory.deleted", targetId: entry.id } }),
      ),
    ).toBe(1);

    await caller.recovery.restore({ tenantSlug: fx.tenant.slug, kind: "memory", id: entry.id });
    expect(await caller.memory.list({ tenantSlug: fx.tenant.slug })).toMatchObject([{ key: "office", value: "Berlin", version: 3 }]);
  });
});

describe("tenant isolation", () => {
  it("a tenant cannot list, see the history of, or restore another tenant's deleted items", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    await Promise.all([baselineOnly(a.tenant.id), baselineOnly(b.tenant.id)]);
    await gateCall(b, "memory.set", { key: "secret", value: "globex-7731" });
    await gateCall(b, "memory.delete", { all: true });
    const secretId = await entryId(b, "secret");

    const owner = callerFor(a.users.owner);
    expect((await owner.recovery.trash({ tenantSlug: a.tenant.slug })).items).toEqual([]);
    const ref = { tenantSlug: a.tenant.slug, kind: "memory", id: secretId };
    expect(await callPath(a.users.owner, "recovery.versions", ref)).toBe("NOT_FOUND");
    expect(await callPath(a.users.owner, "recovery.restore", ref)).toBe("NOT_FOUND");
    expect(await callPath(a.users.owner, "recovery.restoreVersion", { ...ref, version: 1 })).toBe("NOT_FOUND");
    // Naming B's tenant is NOT_FOUND too: A's owner is no member there.
    expect(await callPath(a.users.owner, "recovery.trash", { tenantSlug: b.tenant.slug })).toBe("NOT_FOUND");

    const stillDeleted = await withTenant(b.tenant.id, (db) => db.memoryEntry.findUniqueOrThrow({ where: { id: secretId } }));
    expect(stillDeleted.deletedAt).not.toBeNull();
    expect(stillDeleted.version).toBe(2);
  });

  it("the database lets the app hard-delete only entries that are in the Trash", async () => {
    const fx = await createTenantFixture();
    await baselineOnly(fx.tenant.id);
    await gateCall(fx, "memory.set", { key: "live", value: "stays" });
    await gateCall(fx, "memory.set", { key: "gone", value: "goes" });
    await gateCall(fx, "memory.delete", { key: "gone" });
    const removed = await withTenant(fx.tenant.id, (db) => db.memoryEntry.deleteMany({ where: { tenantId: fx.tenant.id } }));
    expect(removed.count).toBe(1);
    const left = await withTenant(fx.tenant.id, (db) => db.memoryEntry.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(left.map((entry) => entry.key)).toEqual(["live"]);
    // The purged entry's history went with it; memory_versions itself stays append-only for the app.
    const versions = await withTenant(fx.tenant.id, (db) => db.memoryVersion.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(versions.map((version) => version.key)).toEqual(["live"]);
    await expect(withTenant(fx.tenant.id, (db) => db.memoryVersion.deleteMany({ where: { tenantId: fx.tenant.id } }))).rejects.toThrow(
      /permission denied/,
    );
  });
});

describe("kinds and roles", () => {
  it("an unknown kind is a clear BAD_REQUEST", async () => {
    const fx = await createTenantFixture();
    await expect(
      callerFor(fx.users.member).recovery.restore({ tenantSlug: fx.tenant.slug, kind: "spaceship", id: "x" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining('There is no recoverable kind "spaceship"') });
  });

  it("a kind that asks for admins to restore it refuses members, and lets admins", async () => {
    const restored: string[] = [];
    const guarded: TRecoverableKind = {
      kind: "guarded_test",
      label: "Guarded item",
      restoreRole: "admin",
      listDeleted: async () => [],
      listVersions: async () => [],
      restore: async (_db, _tenantId, id, actor) => void restored.push(`${id} by ${actor}`),
      restoreVersion: async (_db, _tenantId, id, version, actor) => void restored.push(`${id}@${version} by ${actor}`),
      purge: async () => 0,
    };
    RECOVERABLE_KINDS.push(guarded);
    try {
      const fx = await createTenantFixture();
      const ref = { tenantSlug: fx.tenant.slug, kind: "guarded_test", id: "item-1" };
      await expect(callerFor(fx.users.member).recovery.restore(ref)).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Restoring a guarded item needs the admin role or higher; you are member.",
      });
      expect(await callPath(fx.users.approver, "recovery.restoreVersion", { ...ref, version: 1 })).toBe("FORBIDDEN");
      await callerFor(fx.users.admin).recovery.restore(ref);
      await callerFor(fx.users.owner).recovery.restoreVersion({ ...ref, version: 2 });
      expect(restored).toEqual([`item-1 by user:${fx.users.admin.id}`, `item-1@2 by user:${fx.users.owner.id}`]);
    } finally {
      RECOVERABLE_KINDS.splice(RECOVERABLE_KINDS.indexOf(guarded), 1);
    }
  });

  it("admins set how long the Trash keeps things; members read it", async () => {
    const fx = await createTenantFixture();
    expect(await callerFor(fx.users.member).recovery.settings({ tenantSlug: fx.tenant.slug })).toMatchObject({
      purgeAfterDays: 30,
      updatedBy: null,
    });
    const saved = await callerFor(fx.users.admin).recovery.updateSettings({ tenantSlug: fx.tenant.slug, purgeAfterDays: 7 });
    expect(saved).toMatchObject({ purgeAfterDays: 7, updatedBy: `user:${fx.users.admin.email}` });
    expect((await callerFor(fx.users.member).recovery.trash({ tenantSlug: fx.tenant.slug })).purgeAfterDays).toBe(7);
    expect(await callPath(fx.users.admin, "recovery.updateSettings", { tenantSlug: fx.tenant.slug, purgeAfterDays: 0 })).toBe(
      "BAD_REQUEST",
    );
    expect(await callPath(fx.users.member, "recovery.updateSettings", { tenantSlug: fx.tenant.slug, purgeAfterDays: 9 })).toBe("FORBIDDEN");
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findFirstOrThrow({ where: { tenantId: fx.tenant.id, action: "recovery.settings_updated" } }),
    );
    expect(audit.data).toEqual({ purgeAfterDays: { from: 30, to: 7 } });
  });
});
