// Compiled compositions are cached and checked, never trusted: every policy edit bumps
// the tenant's composition generation in its own transaction (database triggers), and
// the gate's very next decision, in this process or another, uses the edit. A tenant
// whose composition did not change gets no pack text from the database.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withTenant, type TenantDb } from "@/server/db";
import { addPackVersion, createPack, deletePack, policyPackKind } from "@/server/policy/packs";
import { createRun, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { callStateStats } from "./call-state";
import { runGate } from "./pipeline";

const OWN_PACK = '@id("own-get") @reason("own pack") permit (principal, action == Action::"memory.get", resource);';
const NO_GET = '@id("no-get") @reason("memory.get is off") forbid (principal, action == Action::"memory.get", resource);';
const ACTOR = { userId: null, label: "user:test" };

let superuser: pg.Client;

beforeAll(async () => {
  superuser = new pg.Client({ connectionString: inject("superDatabaseUrl") });
  await superuser.connect();
});

afterAll(async () => {
  await superuser?.end();
});

async function generationIn(db: TenantDb): Promise<number> {
  const rows = await db.$queryRaw<{ generation: bigint }[]>`SELECT generation FROM policy_generations`;
  return Number(rows[0]?.generation ?? 0);
}

const generationOf = (tenantId: string) => withTenant(tenantId, generationIn);

/** Runs the edit and returns the generation before it, inside its transaction after it, and after commit. */
async function bumpOf(tenantId: string, edit: (db: TenantDb) => Promise<unknown>) {
  const before = await generationOf(tenantId);
  const inside = await withTenant(tenantId, async (db) => {
    await edit(db);
    return generationIn(db);
  });
  return { before, inside, after: await generationOf(tenantId) };
}

const member = (fx: TTenantFixture) => ({ type: "User" as const, id: fx.users.member.id, role: "member", label: "user:member" });

async function getKey(fx: TTenantFixture, runId: string) {
  const outcome = await runGate({ tenantId: fx.tenant.id, runId, principal: member(fx), tool: "memory.get", args: { key: "k" } });
  return { status: outcome.status, step: outcome.decision.step, policies: outcome.decision.policies.map((policy) => policy.id) };
}

function editInAnotherProcess(tenantId: string, tenantPolicies: string): Promise<{ generation: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "edit-composition.child.ts"), tenantId, tenantPolicies],
    {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), DATABASE_OWNER_URL: inject("ownerDatabaseUrl") },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`the editing process failed (${String(code)}): ${err}`));
      const last = out.trim().split("\n").at(-1) ?? "";
      resolve(JSON.parse(last) as { generation: string });
    });
  });
}

describe("the composition generation", () => {
  it("is bumped inside the transaction of every kind of policy edit, and a rolled-back edit leaves it", async () => {
    const fx = await createTenantFixture();
    const tenantId = fx.tenant.id;
    const bumped = (result: { before: number; inside: number; after: number }) => {
      expect(result.inside).toBeGreaterThan(result.before);
      expect(result.after).toBe(result.inside);
    };
    expect(await generationOf(tenantId)).toBe(0);
    bumped(await bumpOf(tenantId, (db) => db.policyComposition.create({ data: { tenantId, packs: [{ name: "baseline", version: 1 }] } })));
    let packId = "";
    bumped(
      await bumpOf(tenantId, async (db) => {
        packId = (await createPack(db, tenantId, { userId: fx.users.admin.id, label: "user:admin" }, { name: "own", text: OWN_PACK })).id;
      }),
    );
    bumped(await bumpOf(tenantId, (db) => addPackVersion(db, tenantId, ACTOR, packId, OWN_PACK.replace("own pack", "own pack v2"))));
    // Overrides: disabled policies, tenant policies, the pack list.
    bumped(
      await bumpOf(tenantId, (db) => db.policyComposition.update({ where: { tenantId }, data: { disabledPolicies: ["baseline@v1/x"] } })),
    );
    bumped(await bumpOf(tenantId, (db) => db.policyComposition.update({ where: { tenantId }, data: { tenantPolicies: NO_GET } })));
    bumped(await bumpOf(tenantId, (db) => deletePack(db, tenantId, ACTOR, packId)));
    bumped(await bumpOf(tenantId, (db) => policyPackKind.restore(db, tenantId, packId, "user:admin")));
    bumped(await bumpOf(tenantId, (db) => policyPackKind.restoreVersion(db, tenantId, packId, 1, "user:admin")));
    // Raw SQL is a write path too.
    bumped(
      await bumpOf(tenantId, (db) => db.$executeRaw`UPDATE policy_packs SET description = 'renamed' WHERE tenant_id = ${tenantId}::uuid`),
    );
    await withTenant(tenantId, (db) => db.policyPack.update({ where: { id: packId }, data: { deletedAt: new Date(0) } }));
    bumped(await bumpOf(tenantId, (db) => policyPackKind.purge(db, tenantId, new Date())));
    // The app may not delete a composition; an operator's SQL (here a superuser's) bumps it too.
    const beforeDelete = await generationOf(tenantId);
    await superuser.query("BEGIN");
    await superuser.query("DELETE FROM policy_compositions WHERE tenant_id = $1", [tenantId]);
    const { rows } = await superuser.query<{ generation: string }>("SELECT generation FROM policy_generations WHERE tenant_id = $1", [
      tenantId,
    ]);
    await superuser.query("COMMIT");
    expect(Number(rows[0]?.generation)).toBe(beforeDelete + 1);

    const before = await generationOf(tenantId);
    await expect(
      withTenant(tenantId, async (db) => {
        await db.policyComposition.create({ data: { tenantId, packs: [] } });
        expect(await generationIn(db)).toBe(before + 1);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await generationOf(tenantId)).toBe(before);
  });

  it("is the database's to write: the app can read its own tenant's only, and change none", async () => {
    const [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    for (const fx of [a, b])
      await withTenant(fx.tenant.id, (db) => db.policyComposition.create({ data: { tenantId: fx.tenant.id, packs: [] } }));
    await withTenant(a.tenant.id, async (db) => {
      const rows = await db.$queryRaw<{ tenant_id: string }[]>`SELECT tenant_id::text FROM policy_generations`;
      expect(rows.map((row) => row.tenant_id)).toEqual([a.tenant.id]);
    });
    for (const statement of ["UPDATE policy_generations SET generation = 0", "DELETE FROM policy_generations"]) {
      await expect(withTenant(a.tenant.id, (_db, { sql }) => sql.query(statement))).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("goes with its tenant: deleting a tenant that has packs and a composition succeeds", async () => {
    const fx = await createTenantFixture();
    const tenantId = fx.tenant.id;
    await withTenant(tenantId, async (db) => {
      await createPack(db, tenantId, { userId: fx.users.admin.id, label: "user:admin" }, { name: "own", text: OWN_PACK });
      await db.policyComposition.create({ data: { tenantId, packs: [{ name: "own", version: 1 }] } });
    });
    await superuser.query("DELETE FROM tenants WHERE id = $1", [tenantId]);
    const { rows } = await superuser.query("SELECT 1 FROM policy_generations WHERE tenant_id = $1", [tenantId]);
    expect(rows).toEqual([]);
  });
});

describe("the gate's composition cache", () => {
  it("a decision right after an edit uses the edit, and an unchanged tenant gets no pack text from the database", async () => {
    const fx = await createTenantFixture();
    const tenantId = fx.tenant.id;
    await withTenant(tenantId, async (db) => {
      await createPack(db, tenantId, { userId: fx.users.admin.id, label: "user:admin" }, { name: "own", text: OWN_PACK });
      await db.policyComposition.create({ data: { tenantId, packs: [{ name: "own", version: 1 }] } });
    });
    const runId = await createRun(fx);
    const first = { ...callStateStats };
    expect(await getKey(fx, runId)).toMatchObject({ status: "executed", policies: ["own@v1/own-get"] });
    expect(callStateStats.packTextsReceived - first.packTextsReceived).toBe(1);

    // Steady state: the same tenant, nothing changed: the composition is not sent again.
    const steady = { ...callStateStats };
    expect(await getKey(fx, runId)).toMatchObject({ status: "executed" });
    expect(callStateStats.compositionsReceived - steady.compositionsReceived).toBe(0);
    expect(callStateStats.packTextsReceived - steady.packTextsReceived).toBe(0);
    expect(callStateStats.cacheHits - steady.cacheHits).toBe(1);

    // An override in this process: the very next call is denied by it.
    await withTenant(tenantId, (db) => db.policyComposition.update({ where: { tenantId }, data: { tenantPolicies: NO_GET } }));
    expect(await getKey(fx, runId)).toMatchObject({ status: "denied", step: "policy", policies: ["tenant@v0/no-get"] });

    // A new pack version named by the composition, then the pack's delete: both in force at once.
    await withTenant(tenantId, async (db) => {
      const pack = await db.policyPack.findFirstOrThrow({ where: { tenantId, name: "own" } });
      await addPackVersion(db, tenantId, ACTOR, pack.id, OWN_PACK.replace("own-get", "own-get-v2"));
      await db.policyComposition.update({ where: { tenantId }, data: { tenantPolicies: "", packs: [{ name: "own", version: 2 }] } });
    });
    expect(await getKey(fx, runId)).toMatchObject({ status: "executed", policies: ["own@v2/own-get-v2"] });
    await withTenant(
      tenantId,
      (db) => db.$executeRaw`UPDATE policy_packs SET deleted_at = now() WHERE tenant_id = ${tenantId}::uuid AND name = 'own'`,
    );
    expect(await getKey(fx, runId)).toMatchObject({ status: "denied", step: "policy" });
  });

  it("two processes: one edits a tenant's composition, the other's very next decision uses it", async () => {
    const fx = await createTenantFixture();
    const tenantId = fx.tenant.id;
    await withTenant(tenantId, (db) => db.policyComposition.create({ data: { tenantId, packs: [{ name: "baseline", version: 1 }] } }));
    const runId = await createRun(fx);
    // Warm: this process holds the tenant's compiled composition and the database confirms it.
    expect(await getKey(fx, runId)).toMatchObject({ status: "executed" });
    const warm = { ...callStateStats };
    expect(await getKey(fx, runId)).toMatchObject({ status: "executed" });
    expect(callStateStats.cacheHits - warm.cacheHits).toBe(1);

    const edited = await editInAnotherProcess(tenantId, NO_GET);
    expect(Number(edited.generation)).toBe(await generationOf(tenantId));
    expect(await getKey(fx, runId)).toMatchObject({ status: "denied", step: "policy", policies: ["tenant@v0/no-get"] });

    await editInAnotherProcess(tenantId, "");
    expect(await getKey(fx, runId)).toMatchObject({ status: "executed" });
  });
});
