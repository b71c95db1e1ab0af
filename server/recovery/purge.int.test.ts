// The daily purge job's handler: each tenant's Trash loses what has been there
// longer than the tenant's own setting, with its history, and the purge is audited.
import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { runRecoveryPurge } from "@/server/jobs/handlers";
import { setMemory, softDeleteMemory } from "@/server/memory/service";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";

const DAY_MS = 24 * 60 * 60 * 1000;

/** An entry with two versions, soft-deleted `daysAgo` days ago (or left live when null). */
async function entry(fx: TTenantFixture, key: string, daysAgo: number | null): Promise<string> {
  return withTenant(fx.tenant.id, async (db) => {
    await setMemory(fx.tenant.id, key, `${key} v1`, "user:purge-test");
    await setMemory(fx.tenant.id, key, `${key} v2`, "user:purge-test");
    const row = await db.memoryEntry.findUniqueOrThrow({ where: { tenantId_key: { tenantId: fx.tenant.id, key } } });
    if (daysAgo !== null) {
      await softDeleteMemory(db, fx.tenant.id, { key }, "user:purge-test");
      await db.memoryEntry.update({ where: { id: row.id }, data: { deletedAt: new Date(Date.now() - daysAgo * DAY_MS) } });
    } else {
      // Old but never deleted: age alone never purges anything.
      await db.memoryEntry.update({ where: { id: row.id }, data: { updatedAt: new Date(Date.now() - 400 * DAY_MS) } });
    }
    return row.id;
  });
}

async function state(fx: TTenantFixture) {
  return withTenant(fx.tenant.id, async (db) => ({
    keys: (await db.memoryEntry.findMany({ where: { tenantId: fx.tenant.id }, orderBy: { key: "asc" } })).map((row) => row.key),
    versions: await db.memoryVersion.count({ where: { tenantId: fx.tenant.id } }),
    audit: await db.auditLog.findMany({ where: { tenantId: fx.tenant.id, action: "recovery.purged" } }),
  }));
}

describe("the recovery purge job", () => {
  it("removes items deleted longer ago than each tenant's setting, with their versions, and audits the counts", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    // A keeps the default (30 days); B keeps its Trash for 60.
    await withTenant(b.tenant.id, (db) =>
      db.tenantRecoverySetting.create({ data: { tenantId: b.tenant.id, purgeAfterDays: 60, updatedBy: "user:purge-test" } }),
    );
    await entry(a, "old-a", 31);
    await entry(a, "older-a", 45);
    await entry(a, "yesterday-a", 1);
    await entry(a, "live-a", null);
    await entry(b, "old-b", 31);
    await entry(b, "ancient-b", 61);

    const result = await runRecoveryPurge();
    expect(result.tenants).toBeGreaterThanOrEqual(2);
    expect(result.affected).toBeGreaterThanOrEqual(3);

    const afterA = await state(a);
    expect(afterA.keys).toEqual(["live-a", "yesterday-a"]);
    // live-a: 2 versions; yesterday-a: 2 + its delete.
    expect(afterA.versions).toBe(5);
    expect(afterA.audit).toHaveLength(1);
    expect(afterA.audit[0]).toMatchObject({ actorUserId: null, targetType: "trash" });
    expect(afterA.audit[0]?.data).toMatchObject({ counts: { memory: 2 }, total: 2, failed: [], purgeAfterDays: 30 });

    const afterB = await state(b);
    expect(afterB.keys).toEqual(["old-b"]);
    expect(afterB.versions).toBe(3);
    expect(afterB.audit[0]?.data).toMatchObject({ counts: { memory: 1 }, purgeAfterDays: 60 });

    // A second run finds nothing more, and records nothing more.
    await runRecoveryPurge();
    expect((await state(a)).audit).toHaveLength(1);
    expect((await state(a)).keys).toEqual(["live-a", "yesterday-a"]);
  });

  it("leaves another tenant's trash alone: what it removes is each tenant's own", async () => {
    const [a, c] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    await entry(a, "old-a", 31);
    await entry(c, "recent-c", 2);
    await entry(c, "live-c", null);
    await runRecoveryPurge();
    expect((await state(a)).keys).toEqual([]);
    expect(await state(c)).toMatchObject({ keys: ["live-c", "recent-c"], versions: 5, audit: [] });
  });
});
