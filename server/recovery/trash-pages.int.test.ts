// The Trash in pages (every item exactly once, in order, across kinds) and "empty the
// Trash now" (admins only, confirmed, audited, live items untouched).
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { memoryKind, setMemoryIn } from "@/server/memory/service";
import { createSkill, skillKind } from "@/server/skills/service";
import { callerFor, callPath, createTenantFixture, type TTenantFixture } from "@/server/test/factories";

let fx: TTenantFixture;
const ACTOR = "user:pages";

/** A memory entry and a skill per name, each deleted; and one live entry. */
async function fill(tenantId: string, names: string[]): Promise<void> {
  await withTenant(tenantId, async (db, tx) => {
    await setMemoryIn(tx.sql, tenantId, "still-here", "live", ACTOR);
    for (const name of names) {
      await setMemoryIn(tx.sql, tenantId, name, `value of ${name}`, ACTOR);
      const entry = await memoryKind.find(db, tenantId, (await db.memoryEntry.findFirstOrThrow({ where: { tenantId, key: name } })).id);
      await memoryKind.write(db, tenantId, entry, { ...entry.content, isDeleted: true }, ACTOR);
      const skill = await createSkill(db, tenantId, { userId: null, label: ACTOR }, { name, description: "", body: "body" });
      const row = await skillKind.find(db, tenantId, skill.id);
      await skillKind.write(db, tenantId, row, { ...row.content, isDeleted: true }, ACTOR);
    }
  });
}

beforeAll(async () => {
  fx = await createTenantFixture();
  await fill(
    fx.tenant.id,
    Array.from({ length: 7 }, (_, index) => `page-item-${index}`),
  );
});

describe("the Trash in pages", () => {
  it("walks every item exactly once, most recently deleted first, across kinds", async () => {
    const caller = callerFor(fx.users.member);
    const whole = await caller.recovery.trash({ tenantSlug: fx.tenant.slug, limit: 200 });
    expect(whole.items).toHaveLength(14);
    expect(whole.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof caller.recovery.trash>> = await caller.recovery.trash({
        tenantSlug: fx.tenant.slug,
        limit: 3,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item) => `${item.kind}:${item.id}`));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(seen).toEqual(whole.items.map((item) => `${item.kind}:${item.id}`));
    const times = whole.items.map((item) => item.deletedAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("pages one kind alone, and refuses a cursor it did not make", async () => {
    const caller = callerFor(fx.users.member);
    const first = await caller.recovery.trash({ tenantSlug: fx.tenant.slug, kind: "skill", limit: 4 });
    const second = await caller.recovery.trash({ tenantSlug: fx.tenant.slug, kind: "skill", limit: 4, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((item) => item.title).sort()).toEqual(
      Array.from({ length: 7 }, (_, index) => `page-item-${index}`),
    );
    expect(second.nextCursor).toBeNull();
    expect(await callPath(fx.users.member, "recovery.trash", { tenantSlug: fx.tenant.slug, cursor: "not-a-cursor" })).toBe("BAD_REQUEST");
  });
});

describe("empty the Trash now", () => {
  let other: TTenantFixture;

  beforeAll(async () => {
    other = await createTenantFixture();
    await fill(other.tenant.id, ["other-tenant-item"]);
  });

  it("is for admins, asks for the words, removes everything in the Trash and nothing live, and is audited", async () => {
    expect(await callPath(fx.users.member, "recovery.empty", { tenantSlug: fx.tenant.slug, confirm: "empty the trash" })).toBe("FORBIDDEN");
    expect(await callPath(fx.users.admin, "recovery.empty", { tenantSlug: fx.tenant.slug, confirm: "yes" })).toBe("BAD_REQUEST");
    const result = await callerFor(fx.users.admin).recovery.empty({ tenantSlug: fx.tenant.slug, confirm: "empty the trash" });
    expect(result).toMatchObject({ total: 14, counts: { memory: 7, skill: 7 } });
    expect((await callerFor(fx.users.member).recovery.trash({ tenantSlug: fx.tenant.slug })).items).toEqual([]);
    const audit = await withTenant(fx.tenant.id, async (db) => ({
      live: await db.memoryEntry.count({ where: { tenantId: fx.tenant.id, deletedAt: null } }),
      entries: await db.auditLog.findMany({ where: { tenantId: fx.tenant.id, action: "recovery.emptied" } }),
    }));
    expect(audit.live).toBe(1);
    expect(audit.entries).toEqual([
      expect.objectContaining({ actorUserId: fx.users.admin.id, data: expect.objectContaining({ total: 14, failed: [] }) }),
    ]);
    // Another tenant's Trash is its own.
    expect((await callerFor(other.users.member).recovery.trash({ tenantSlug: other.tenant.slug })).items).toHaveLength(2);
  });
});
