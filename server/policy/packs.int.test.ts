import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { CATALOG_PACKS } from "./catalog";
import { callerFor, createTenantFixture } from "@/server/test/factories";
import { addPackVersion, packSource, policyPackKind } from "./packs";

const HOLD_TRANSFERS = `@id("hold-all-transfers")
@effect("require_approval")
@reason("every transfer needs a second pair of eyes")
forbid (principal, action, resource) when { context.safetyClass == "financial" };`;

describe("policy packs in the database", () => {
  it("the catalog is stored, read-only for the app, identical to the code that ships it", async () => {
    const fx = await createTenantFixture();
    const rows = await withTenant(
      fx.tenant.id,
      async (_db, { sql: client }) => (await client.query("SELECT name, version, text FROM catalog_pack_versions")).rows,
    );
    for (const pack of CATALOG_PACKS) expect(rows).toContainEqual({ name: pack.name, version: pack.version, text: pack.text });
    await expect(
      withTenant(fx.tenant.id, (_db, { sql: client }) =>
        client.query("UPDATE catalog_pack_versions SET text = 'permit (principal, action, resource);'"),
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      withTenant(fx.tenant.id, (_db, { sql: client }) =>
        client.query(
          "INSERT INTO catalog_pack_versions (name, version, description, text) VALUES ('evil', 1, '', 'permit (principal, action, resource);')",
        ),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("a pack too deep or too long for Cedar is refused with the line, and Cedar keeps working for every tenant", async () => {
    const fx = await createTenantFixture();
    const other = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const deep = `@id("deep")\npermit (principal, action, resource)\nwhen { ${"(".repeat(200)}true${")".repeat(200)} };`;
    await expect(admin.policyPack.create({ tenantSlug: fx.tenant.slug, name: "deep", text: deep })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/The pack is not valid: line 3, column 23: nesting deeper than 16 levels/),
    });
    // The flat chain of the review: 400 terms, 1.6 KB, no nesting at all.
    const chain = `@id("chain")\npermit (principal, action, resource)\nwhen { ${Array(400).fill("1").join(" + ")} > 0 };`;
    await expect(admin.policyPack.create({ tenantSlug: fx.tenant.slug, name: "chain", text: chain })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/line 3, column \d+: the policy that starts on line 1 has more than 48 operators/),
    });
    const created = await callerFor(other.users.admin).policyPack.create({
      tenantSlug: other.tenant.slug,
      name: "finance-rules",
      text: HOLD_TRANSFERS,
    });
    expect(created.version).toBe(1);
  });

  it("through the API, any deep or long pack is stored or refused with a line-precise 400, never a 500", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const shapes: Record<string, (n: number) => string> = {
      parentheses: (n) => `${"(".repeat(n)}true${")".repeat(n)}`,
      lists: (n) => `${"[".repeat(n)}1${"]".repeat(n)} == ${"[".repeat(n)}1${"]".repeat(n)}`,
      records: (n) => `${"{a: ".repeat(n)}1${"}".repeat(n)} == ${"{a: ".repeat(n)}1${"}".repeat(n)}`,
      ifElse: (n) => `${"if false then false else ".repeat(n)}true`,
      negations: (n) => `${"!(".repeat(n)}false${")".repeat(n)}`,
      ors: (n) => `${'principal.role == "x" || '.repeat(n)}true`,
      sums: (n) => `${"1 + ".repeat(n)}1 > 0`,
    };
    // Past the limits (16 levels, 48 operators) the refusal names the line; below them Cedar decides.
    let index = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(shapes)), fc.integer({ min: 1, max: 600 }), async (shape, size) => {
        index += 1;
        const text = `@id("p")\npermit (principal, action, resource)\nwhen { ${(shapes[shape] as (n: number) => string)(size)} };`;
        try {
          await admin.policyPack.create({ tenantSlug: fx.tenant.slug, name: `fuzz-${index}`, text });
        } catch (error) {
          expect(error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^The pack is not valid: /) });
          if (size > 48) expect((error as Error).message).toMatch(/The pack is not valid: line \d+/);
        }
      }),
      { numRuns: 25 },
    );
    // Cedar still works for everyone afterwards.
    expect((await admin.policyPack.create({ tenantSlug: fx.tenant.slug, name: "after-fuzz", text: HOLD_TRANSFERS })).version).toBe(1);
  });

  it("a tenant pack is validated by Cedar before it is stored, with Cedar's own message", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    await expect(
      admin.policyPack.create({ tenantSlug, name: "broken", text: "permit (principal, action, resource" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("The pack is not valid"),
    });
    await expect(
      admin.policyPack.create({
        tenantSlug,
        name: "no-such-tool",
        text: 'permit (principal, action == Action::"rocket.launch", resource);',
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("rocket.launch") });
    await expect(
      admin.policyPack.create({ tenantSlug, name: "bad-effect", text: '@effect("maybe")\nforbid (principal, action, resource);' }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("@effect") });
    await expect(admin.policyPack.create({ tenantSlug, name: "treasury", text: HOLD_TRANSFERS })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const created = await admin.policyPack.create({ tenantSlug, name: "finance-rules", text: HOLD_TRANSFERS });
    expect(created.version).toBe(1);
    const listed = await admin.policyPack.list({ tenantSlug });
    expect(listed.find((pack) => pack.name === "finance-rules")).toMatchObject({ source: "tenant", versions: [1] });
    expect(listed.find((pack) => pack.name === "baseline")).toMatchObject({ source: "catalog" });
  });

  it("versions are immutable: a change is a new version, and the app role cannot rewrite one", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const created = await admin.policyPack.create({ tenantSlug: fx.tenant.slug, name: "finance-rules", text: HOLD_TRANSFERS });
    const next = await admin.policyPack.addVersion({ tenantSlug: fx.tenant.slug, packId: created.id, text: `${HOLD_TRANSFERS}\n` });
    expect(next.version).toBe(2);
    await expect(
      withTenant(fx.tenant.id, (_db, { sql: client }) =>
        client.query("UPDATE policy_pack_versions SET text = 'permit (principal, action, resource);'"),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("deletion is soft and refused while the composition uses the pack; the Trash restores it and earlier versions", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const created = await admin.policyPack.create({ tenantSlug, name: "finance-rules", text: HOLD_TRANSFERS });
    await admin.policyPack.addVersion({
      tenantSlug,
      packId: created.id,
      text: '@id("p")\npermit (principal, action == Action::"memory.get", resource);',
    });
    await withTenant(fx.tenant.id, (db) =>
      db.policyComposition.upsert({
        where: { tenantId: fx.tenant.id },
        create: { tenantId: fx.tenant.id, packs: [{ name: "finance-rules", version: 1 }] },
        update: { packs: [{ name: "finance-rules", version: 1 }] },
      }),
    );
    await expect(admin.policyPack.delete({ tenantSlug, packId: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await withTenant(fx.tenant.id, (db) => db.policyComposition.update({ where: { tenantId: fx.tenant.id }, data: { packs: [] } }));
    await admin.policyPack.delete({ tenantSlug, packId: created.id });
    expect((await admin.policyPack.list({ tenantSlug })).some((pack) => pack.name === "finance-rules")).toBe(false);

    const trash = await withTenant(fx.tenant.id, (db) => policyPackKind.listDeleted(db, fx.tenant.id, { limit: 50, after: null }));
    expect(trash).toEqual([
      expect.objectContaining({ id: created.id, title: "finance-rules", deletedBy: `user:${fx.users.admin.id}`, version: 3 }),
    ]);
    await withTenant(fx.tenant.id, (db) => policyPackKind.restoreVersion(db, fx.tenant.id, created.id, 1, "user:restorer"));
    const versions = await withTenant(fx.tenant.id, (db) => policyPackKind.listVersions(db, fx.tenant.id, created.id));
    // The deletion is a line of history (3); the restore of version 1's text is version 4.
    expect(versions.map((version) => [version.version, version.isDeleted, version.actor])).toEqual([
      [4, false, "user:restorer"],
      [3, true, `user:${fx.users.admin.id}`],
      [2, false, `user:${fx.users.admin.id}`],
      [1, false, `user:${fx.users.admin.id}`],
    ]);
    expect(versions[0]?.content).toBe(HOLD_TRANSFERS);
    // What a composition can pin: the versions that are not deletions.
    expect((await admin.policyPack.list({ tenantSlug })).find((pack) => pack.name === "finance-rules")).toMatchObject({
      versions: [1, 2, 4],
      latest: 4,
    });
    await withTenant(fx.tenant.id, async (db) => {
      expect(await packSource(db, fx.tenant.id, { name: "finance-rules", version: 3 })).toBeNull();
      expect(await packSource(db, fx.tenant.id, { name: "finance-rules", version: 4 })).toMatchObject({ text: HOLD_TRANSFERS });
    });

    // Another tenant cannot see or touch it.
    const other = await createTenantFixture();
    await expect(withTenant(other.tenant.id, (db) => policyPackKind.listVersions(db, other.tenant.id, created.id))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      callerFor(other.users.admin).policyPack.delete({ tenantSlug: other.tenant.slug, packId: created.id }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("a tenant pack as a versioned kind", () => {
  it("a restore needs its name free, and of two changes made from one version the second is refused", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const first = await admin.policyPack.create({ tenantSlug, name: "finance-rules", text: HOLD_TRANSFERS });
    await admin.policyPack.delete({ tenantSlug, packId: first.id });
    const second = await admin.policyPack.create({ tenantSlug, name: "finance-rules", text: HOLD_TRANSFERS });
    await expect(
      withTenant(fx.tenant.id, (db) => policyPackKind.restore(db, fx.tenant.id, first.id, "user:restorer")),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining('named "finance-rules"'),
    });

    // Both read version 1; the first write wins, the second is a CONFLICT, not a second version 2.
    const actor = { userId: fx.users.admin.id, label: `user:${fx.users.admin.id}` };
    await expect(
      withTenant(fx.tenant.id, async (db) => {
        const pack = await db.policyPack.findFirstOrThrow({ where: { id: second.id } });
        await addPackVersion(db, fx.tenant.id, actor, second.id, `${HOLD_TRANSFERS}\n`);
        await policyPackKind.write(
          db,
          fx.tenant.id,
          { id: pack.id, title: pack.name, version: pack.version },
          { text: HOLD_TRANSFERS, isDeleted: false },
          actor.label,
        );
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("a tenant pack in the gate", () => {
  it("decides the tenant's calls by its version, never another tenant's; a missing pack fails closed", async () => {
    const { runGate } = await import("@/server/gate/pipeline");
    const [a, b] = [await createTenantFixture(), await createTenantFixture()];
    const holdSets =
      '@id("hold-memory-set")\n@effect("require_approval")\n@reason("our own rule")\nforbid (principal, action == Action::"memory.set", resource);';
    const created = await callerFor(a.users.admin).policyPack.create({ tenantSlug: a.tenant.slug, name: "our-rules", text: holdSets });
    for (const fx of [a, b])
      await withTenant(fx.tenant.id, (db) =>
        db.policyComposition.create({
          data: {
            tenantId: fx.tenant.id,
            packs: [{ name: "baseline", version: 1 }, ...(fx === a ? [{ name: "our-rules", version: 1 }] : [])],
          },
        }),
      );
    const call = async (fx: typeof a) =>
      runGate({
        tenantId: fx.tenant.id,
        runId: await withTenant(
          fx.tenant.id,
          async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "t", principal: "user:t" } })).id,
        ),
        principal: { type: "User", id: fx.users.member.id, role: "member" },
        tool: "memory.set",
        args: { key: "k", value: "v" },
      });
    expect(await call(a)).toMatchObject({
      status: "held",
      decision: { policies: [{ pack: "our-rules", version: 1, id: "our-rules@v1/hold-memory-set" }] },
    });
    expect((await call(b)).status).toBe("executed");

    // The composition names a version that does not exist: nothing is allowed, and the reason says why.
    await withTenant(a.tenant.id, (db) =>
      db.policyComposition.update({
        where: { tenantId: a.tenant.id },
        data: {
          packs: [
            { name: "baseline", version: 1 },
            { name: "our-rules", version: 7 },
          ],
        },
      }),
    );
    expect(await call(a)).toMatchObject({
      status: "denied",
      decision: { step: "policy", explanation: expect.stringContaining("our-rules v7") },
    });
    expect((await call(b)).status).toBe("executed");
    expect(created.id).toBeTruthy();
  });
});
