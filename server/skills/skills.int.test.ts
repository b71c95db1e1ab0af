// Skills: admins write versioned markdown, agents read it through skills.list and
// skills.get at the gate, delete is soft and every version can be restored, names
// are unique among live skills, and tenants never see each other's skills.
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { seedDemoWorkflows } from "@/server/workflows/demo";
import { seedDemoSkills } from "./demo";
import { skillKind } from "./service";
import { workflowKind } from "@/server/workflows/service";

let a: TTenantFixture;
let b: TTenantFixture;

beforeAll(async () => {
  [a, b] = await Promise.all([createTenantFixture(), createTenantFixture()]);
});

const tenantRef = (fx: TTenantFixture) => ({ tenantSlug: fx.tenant.slug });

async function agentCall(fx: TTenantFixture, tool: string, args: unknown) {
  const runId = await withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title: "skills", principal: "agent:helper" } })).id,
  );
  return runGate({ tenantId: fx.tenant.id, runId, principal: { type: "Agent", id: "helper" }, tool, args });
}

describe("skills", () => {
  it("are versioned on every change, read by agents, soft-deleted and restored to any version", async () => {
    const admin = callerFor(a.users.admin);
    const created = await admin.skill.create({
      ...tenantRef(a),
      name: "refunds",
      description: "Refund rules",
      body: "# Refunds\n\nWithin 30 days.",
    });
    expect(created).toMatchObject({ name: "refunds", version: 1 });
    const updated = await admin.skill.update({ ...tenantRef(a), skillId: created.id, body: "# Refunds\n\nWithin 14 days." });
    expect(updated.version).toBe(2);
    // Nothing changed: no new version.
    expect((await admin.skill.update({ ...tenantRef(a), skillId: created.id, body: "# Refunds\n\nWithin 14 days." })).version).toBe(2);

    expect(await agentCall(a, "skills.list", {})).toMatchObject({
      status: "executed",
      result: { skills: expect.arrayContaining([{ name: "refunds", description: "Refund rules", version: 2 }]) },
    });
    expect(await agentCall(a, "skills.get", { name: "refunds" })).toMatchObject({
      status: "executed",
      result: { name: "refunds", version: 2, body: "# Refunds\n\nWithin 14 days." },
    });

    await admin.skill.delete({ ...tenantRef(a), skillId: created.id });
    expect(await agentCall(a, "skills.get", { name: "refunds" })).toMatchObject({ status: "executed", result: { found: false } });
    await expect(callerFor(a.users.member).skill.get({ ...tenantRef(a), skillId: created.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const trash = await admin.recovery.trash({ ...tenantRef(a), kind: "skill" });
    expect(trash.items.find((item) => item.id === created.id)).toMatchObject({ title: "refunds", version: 3 });

    const versions = await admin.recovery.versions({ ...tenantRef(a), kind: "skill", id: created.id });
    expect(versions.map((version) => [version.version, version.isDeleted])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    expect(versions[2]?.content).toEqual({ name: "refunds", description: "Refund rules", body: "# Refunds\n\nWithin 30 days." });

    await admin.recovery.restoreVersion({ ...tenantRef(a), kind: "skill", id: created.id, version: 1 });
    const restored = await callerFor(a.users.member).skill.get({ ...tenantRef(a), skillId: created.id });
    expect(restored).toMatchObject({ version: 4, body: "# Refunds\n\nWithin 30 days." });
    expect(await agentCall(a, "skills.get", { name: "refunds" })).toMatchObject({
      result: { version: 4, body: "# Refunds\n\nWithin 30 days." },
    });
  });

  it("keeps names unique among live skills, and a restore does not take a name in use", async () => {
    const admin = callerFor(a.users.admin);
    const first = await admin.skill.create({ ...tenantRef(a), name: "greeting", body: "Say hello." });
    await expect(admin.skill.create({ ...tenantRef(a), name: "greeting", body: "Say hi." })).rejects.toMatchObject({ code: "CONFLICT" });
    await admin.skill.delete({ ...tenantRef(a), skillId: first.id });
    const second = await admin.skill.create({ ...tenantRef(a), name: "greeting", body: "Say hi." });
    await expect(admin.recovery.restore({ ...tenantRef(a), kind: "skill", id: first.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining('already a skill named "greeting"'),
    });
    await admin.skill.update({ ...tenantRef(a), skillId: second.id, name: "greeting-2" });
    await admin.recovery.restore({ ...tenantRef(a), kind: "skill", id: first.id });
    expect((await admin.skill.list(tenantRef(a))).map((skill) => skill.name)).toEqual(expect.arrayContaining(["greeting", "greeting-2"]));
  });

  it("are written by admins only; members read; restoring needs an admin", async () => {
    await expect(callerFor(a.users.member).skill.create({ ...tenantRef(a), name: "nope", body: "x" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const skill = await callerFor(a.users.admin).skill.create({ ...tenantRef(a), name: "members-read", body: "x" });
    await callerFor(a.users.admin).skill.update({ ...tenantRef(a), skillId: skill.id, body: "y" });
    expect((await callerFor(a.users.member).skill.get({ ...tenantRef(a), skillId: skill.id })).body).toBe("y");
    await expect(
      callerFor(a.users.member).recovery.restoreVersion({ ...tenantRef(a), kind: "skill", id: skill.id, version: 1 }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("refuses names agents could not call and bodies with NUL", async () => {
    const admin = callerFor(a.users.admin);
    await expect(admin.skill.create({ ...tenantRef(a), name: "Has Spaces", body: "x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.skill.create({ ...tenantRef(a), name: "ok", body: "a\u0000b" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("of tenant B are invisible to tenant A, by id and by name", async () => {
    const secret = await callerFor(b.users.admin).skill.create({ ...tenantRef(b), name: "b-only", body: "globex launch code 7731" });
    const owner = callerFor(a.users.owner);
    await expect(owner.skill.get({ ...tenantRef(a), skillId: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.skill.update({ ...tenantRef(a), skillId: secret.id, body: "mine now" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(owner.skill.delete({ ...tenantRef(a), skillId: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.recovery.versions({ ...tenantRef(a), kind: "skill", id: secret.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await agentCall(a, "skills.get", { name: "b-only" })).toMatchObject({ status: "executed", result: { found: false } });
    expect(JSON.stringify(await agentCall(a, "skills.list", {}))).not.toContain("b-only");
    expect((await callerFor(b.users.member).skill.get({ ...tenantRef(b), skillId: secret.id })).body).toBe("globex launch code 7731");
  });

  it("seed as demo content once: running the seed again changes nothing", async () => {
    const fx = await createTenantFixture();
    for (let round = 0; round < 2; round += 1)
      await withTenant(fx.tenant.id, async (db) => {
        await seedDemoSkills(db, fx.tenant.id);
        await seedDemoWorkflows(db, fx.tenant.id);
      });
    const member = callerFor(fx.users.member);
    expect((await member.skill.list(tenantRef(fx))).map((skill) => [skill.name, skill.version])).toEqual([
      ["refund-policy", 1],
      ["weekly-report", 1],
    ]);
    expect((await member.workflow.list(tenantRef(fx))).map((workflow) => [workflow.name, workflow.version])).toEqual([
      ["payment-reminder", 1],
    ]);
  });

  it("are purged (with their versions) only once in the Trash, skills and workflows alike", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const kept = await admin.skill.create({ ...tenantRef(fx), name: "kept", body: "x" });
    const gone = await admin.skill.create({ ...tenantRef(fx), name: "gone", body: "x" });
    await admin.skill.delete({ ...tenantRef(fx), skillId: gone.id });
    const flow = await admin.workflow.save({
      ...tenantRef(fx),
      name: "gone-flow",
      definition: { start: "a", nodes: [{ id: "a", type: "transform", set: {} }] },
    });
    await admin.workflow.delete({ ...tenantRef(fx), workflowId: flow.id });
    const later = new Date(Date.now() + 60_000);
    const counts = await withTenant(fx.tenant.id, async (db) => ({
      // The database itself refuses to hard-delete a live skill (policy delete_only_trashed).
      live: (await db.skill.deleteMany({ where: { tenantId: fx.tenant.id, id: kept.id } })).count,
      skills: await skillKind.purge(db, fx.tenant.id, later),
      workflows: await workflowKind.purge(db, fx.tenant.id, later),
    }));
    expect(counts).toEqual({ live: 0, skills: 1, workflows: 1 });
    const left = await withTenant(fx.tenant.id, async (db) => ({
      skills: (await db.skill.findMany({ where: { tenantId: fx.tenant.id } })).map((skill) => skill.name),
      skillVersions: await db.skillVersion.count({ where: { tenantId: fx.tenant.id, skillId: gone.id } }),
      workflowVersions: await db.workflowVersion.count({ where: { tenantId: fx.tenant.id, workflowId: flow.id } }),
    }));
    expect(left).toEqual({ skills: ["kept"], skillVersions: 0, workflowVersions: 0 });
  });
});
