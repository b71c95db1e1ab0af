// Agent approvers' API keys: created by admins and shown once, stored only as a
// SHA-256, found only within their own tenant, refused once revoked.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { authenticateAgentKey, hashAgentKey } from "./keys";

let a: TTenantFixture;
let b: TTenantFixture;

beforeAll(async () => {
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function rowOf(tenantId: string, keyId: string) {
  return withTenant(tenantId, (db) => db.agentApiKey.findFirst({ where: { id: keyId } }));
}

describe("creating and listing keys", () => {
  it("returns the key once; the list and the database have only its prefix and hash", async () => {
    const admin = callerFor(a.users.admin);
    const created = await admin.agentKey.create({ tenantSlug: a.tenant.slug, agentId: "risk-bot", label: "Risk checks" });
    expect(created.apiKey).toMatch(/^afk_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).not.toContain(a.tenant.slug);
    expect(created).toMatchObject({ agentId: "risk-bot", label: "Risk checks", keyPrefix: created.apiKey.slice(0, 8), revokedAt: null });

    const listed = await admin.agentKey.list({ tenantSlug: a.tenant.slug });
    const mine = listed.find((key) => key.id === created.id);
    expect(mine).toBeDefined();
    expect(Object.keys(mine ?? {}).sort()).toEqual([
      "agentId",
      "createdAt",
      "createdBy",
      "id",
      "keyPrefix",
      "label",
      "lastUsedAt",
      "revokedAt",
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.apiKey);

    const row = await rowOf(a.tenant.id, created.id);
    expect(row?.keyHash).toBe(sha256(created.apiKey));
    expect(hashAgentKey(created.apiKey)).toBe(row?.keyHash);
    expect(JSON.stringify(row)).not.toContain(created.apiKey.slice(8));
    expect(row?.createdBy).toBe(`user:${a.users.admin.id}`);

    const audit = await withTenant(a.tenant.id, (db) =>
      db.auditLog.findFirst({ where: { tenantId: a.tenant.id, action: "agent_key.created", targetId: created.id } }),
    );
    expect(audit?.data).toMatchObject({ agentId: "risk-bot", keyPrefix: created.keyPrefix });
    expect(JSON.stringify(audit)).not.toContain(created.apiKey);
  });

  it("every key is different", async () => {
    const admin = callerFor(a.users.admin);
    const keys = await Promise.all(
      [1, 2, 3].map(() => admin.agentKey.create({ tenantSlug: a.tenant.slug, agentId: "risk-bot", label: "parallel" })),
    );
    expect(new Set(keys.map((key) => key.apiKey)).size).toBe(3);
  });

  it("refuses an agent id that no approval tier could name", async () => {
    const admin = callerFor(a.users.admin);
    for (const agentId of ["Risk Bot", "-bot", "", "a".repeat(81), "bot/../x"]) {
      await expect(admin.agentKey.create({ tenantSlug: a.tenant.slug, agentId, label: "x" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
  });

  it("is for admins only", async () => {
    await expect(callerFor(a.users.approver).agentKey.list({ tenantSlug: a.tenant.slug })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      callerFor(a.users.member).agentKey.create({ tenantSlug: a.tenant.slug, agentId: "risk-bot", label: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("authenticating a key", () => {
  it("finds the agent in its own tenant and records the use", async () => {
    const created = await callerFor(a.users.admin).agentKey.create({
      tenantSlug: a.tenant.slug,
      agentId: "ledger.bot:eu",
      label: "ledger",
    });
    expect((await rowOf(a.tenant.id, created.id))?.lastUsedAt).toBeNull();
    expect(await authenticateAgentKey(a.tenant.id, created.apiKey)).toEqual({
      agentId: "ledger.bot:eu",
      keyId: created.id,
      keyPrefix: created.keyPrefix,
    });
    expect((await rowOf(a.tenant.id, created.id))?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("finds nothing for a key of another tenant, a malformed key or a near miss", async () => {
    const created = await callerFor(b.users.admin).agentKey.create({ tenantSlug: b.tenant.slug, agentId: "risk-bot", label: "b" });
    expect(await authenticateAgentKey(b.tenant.id, created.apiKey)).not.toBeNull();
    expect(await authenticateAgentKey(a.tenant.id, created.apiKey)).toBeNull();
    const flipped = created.apiKey.slice(0, -1) + (created.apiKey.endsWith("A") ? "B" : "A");
    expect(await authenticateAgentKey(b.tenant.id, flipped)).toBeNull();
    for (const junk of ["", "afk_", `${created.apiKey} `, created.apiKey.slice(4), sha256(created.apiKey), "' OR 1=1 --"]) {
      expect(await authenticateAgentKey(b.tenant.id, junk)).toBeNull();
    }
  });

  it("refuses a revoked key, audits that it was presented, and revokes once", async () => {
    const admin = callerFor(a.users.admin);
    const created = await admin.agentKey.create({ tenantSlug: a.tenant.slug, agentId: "risk-bot", label: "to revoke" });
    expect(await authenticateAgentKey(a.tenant.id, created.apiKey)).not.toBeNull();
    const revoked = await admin.agentKey.revoke({ tenantSlug: a.tenant.slug, keyId: created.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateAgentKey(a.tenant.id, created.apiKey)).toBeNull();
    await expect(admin.agentKey.revoke({ tenantSlug: a.tenant.slug, keyId: created.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("already revoked"),
    });
    const actions = await withTenant(a.tenant.id, (db) =>
      db.auditLog.findMany({ where: { tenantId: a.tenant.id, targetId: created.id }, orderBy: { createdAt: "asc" } }),
    );
    expect(actions.map((row) => row.action)).toEqual(["agent_key.created", "agent_key.revoked", "agent_key.refused"]);
    expect(actions[1]?.actorUserId).toBe(a.users.admin.id);
    expect(JSON.stringify(actions)).not.toContain(created.apiKey);
  });

  it("a key of tenant B cannot be revoked through tenant A", async () => {
    const created = await callerFor(b.users.admin).agentKey.create({ tenantSlug: b.tenant.slug, agentId: "risk-bot", label: "b2" });
    await expect(callerFor(a.users.admin).agentKey.revoke({ tenantSlug: a.tenant.slug, keyId: created.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await rowOf(b.tenant.id, created.id))?.revokedAt).toBeNull();
  });
});
