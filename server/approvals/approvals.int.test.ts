// Held calls decided by people: one outcome under races, one execution, durable
// timeouts that fire once, approvals bound to the exact call, tenants apart.
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { runApprovalSweep } from "@/server/jobs/handlers";
import { startWorker } from "@/server/jobs/worker";
import { setMemory } from "@/server/memory/service";
import { addMember, callerFor, createRun, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { heldDelete, tenantHoldingDeletes } from "@/server/test/held-calls";
import { INTERNAL_MESSAGE } from "@/server/trpc/errors";
import { voteOnRequest } from "./service";
import { saveWorkflow } from "./workflow";
import { expireOverdue, finishDecided } from "./sweep";
import type { TApprovalWorkflow, TTier } from "./types";

async function stateOf(fx: TTenantFixture, requestId: string, key: string) {
  return withTenant(fx.tenant.id, async (db) => {
    const request = await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } });
    const entry = await db.memoryEntry.findFirstOrThrow({ where: { tenantId: fx.tenant.id, key } });
    return {
      status: request.status,
      tier: request.tier,
      votes: await db.approvalVote.count({ where: { tenantId: fx.tenant.id, requestId } }),
      deletes: await db.memoryVersion.count({ where: { tenantId: fx.tenant.id, entryId: entry.id, isDeleted: true } }),
      results: await db.event.count({ where: { tenantId: fx.tenant.id, runId: request.runId, type: "tool.result" } }),
      reply: (
        await db.event.findMany({
          where: { tenantId: fx.tenant.id, runId: request.runId, type: "message.agent" },
          orderBy: { seq: "desc" },
          take: 1,
        })
      ).map((event) => (JSON.parse(event.payload) as { text: string }).text)[0],
    };
  });
}

/** Makes the database refuse matching inserts into a table (as a fault would), until the returned function runs. */
async function refuseInserts(table: string, when: string): Promise<() => Promise<void>> {
  const owner = new pg.Client({ connectionString: inject("ownerDatabaseUrl") });
  await owner.connect();
  const name = `refuse_${crypto.randomUUID().replaceAll("-", "")}`;
  await owner.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
  await owner.query(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`);
  return async () => {
    await owner.query(`DROP TRIGGER ${name} ON ${table}; DROP FUNCTION ${name}()`);
    await owner.end();
  };
}

const tier = (overrides: Partial<TTier>): TTier => ({
  name: "Approvers",
  approvers: { roles: ["approver"], users: [], agents: [] },
  quorum: 1,
  distinctFromEarlierTiers: true,
  distinctFromRequester: true,
  slaMinutes: 1,
  onTimeout: "deny",
  ...overrides,
});

async function useWorkflow(fx: TTenantFixture, workflow: TApprovalWorkflow): Promise<void> {
  await withTenant(fx.tenant.id, (db) => saveWorkflow(db, fx.tenant.id, fx.users.admin.id, workflow));
}

describe("deciding a held call", () => {
  it("20 concurrent approvals and denials by different approvers: one outcome, at most one execution", async () => {
    const fx = await tenantHoldingDeletes();
    const approvers = await Promise.all(Array.from({ length: 20 }, () => addMember(fx.tenant.id, "approver")));
    const held = await heldDelete(fx);
    const settled = await Promise.allSettled(
      approvers.map((approver, index) =>
        voteOnRequest(
          fx.tenant.id,
          held.requestId,
          { principal: `user:${approver.user.id}`, role: "approver" },
          index % 2 ? "deny" : "approve",
          `vote ${index}`,
        ),
      ),
    );
    const accepted = settled.filter((result) => result.status === "fulfilled");
    expect(accepted).toHaveLength(1);
    for (const refused of settled.filter((result) => result.status === "rejected"))
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    const after = await stateOf(fx, held.requestId, held.key);
    expect(after.votes).toBe(1);
    expect(["approved", "denied"]).toContain(after.status);
    expect(after.deletes).toBe(after.status === "approved" ? 1 : 0);
    expect(after.results).toBe(after.status === "approved" ? 1 : 0);
  });

  it("the same approver clicking 20 times at once: one vote, one execution", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const who = { principal: `user:${fx.users.approver.id}`, role: "approver" as const };
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => voteOnRequest(fx.tenant.id, held.requestId, who, "approve", "ok")),
    );
    expect(settled.every((result) => result.status === "fulfilled")).toBe(true);
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "approved", votes: 1, deletes: 1, results: 1 });
    expect((await stateOf(fx, held.requestId, held.key)).reply).toContain("approved and ran");
  });

  it("a denial gives the run the reason, and the call never executes", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    await voteOnRequest(
      fx.tenant.id,
      held.requestId,
      { principal: `user:${fx.users.approver.id}`, role: "approver" },
      "deny",
      "we still need it",
    );
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "denied", deletes: 0, results: 0 });
    expect((await stateOf(fx, held.requestId, held.key)).reply).toContain("we still need it");
  });

  it("a run is over only together with its reply: if the reply cannot be recorded, the run still waits", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    // The event log refuses this run's reply (readers of a run that is over, like the
    // chat, stop watching it: an over run must already have its reply).
    const restore = await refuseInserts("events", `NEW.run_id = '${held.runId}' AND NEW.type = 'message.agent'`);
    try {
      await expect(
        voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${fx.users.approver.id}`, role: "approver" }, "deny", "no"),
      ).rejects.toThrow();
    } finally {
      await restore();
    }
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: held.runId } }));
    expect(run.status).toBe("waiting_approval");
    expect(run.endedAt).toBeNull();
    expect((await stateOf(fx, held.requestId, held.key)).reply).toBeUndefined();
  });

  it("a call held for an agent whose id has colons (an inbound WhatsApp sender) runs as that agent once approved", async () => {
    const fx = await tenantHoldingDeletes();
    const key = `k-${crypto.randomUUID().slice(0, 8)}`;
    await setMemory(fx.tenant.id, key, "v", "user:test");
    const runId = await createRun(fx);
    const held = await runGate({
      tenantId: fx.tenant.id,
      runId,
      principal: { type: "Agent", id: "whatsapp:+15550001" },
      tool: "memory.delete",
      args: { key },
    });
    if (held.status !== "held") throw new Error("expected a hold");
    const result = await voteOnRequest(
      fx.tenant.id,
      held.approvalRequestId,
      { principal: `user:${fx.users.approver.id}`, role: "approver" },
      "approve",
      null,
    );
    expect(result.outcome?.status).toBe("executed");
    const entry = await withTenant(fx.tenant.id, (db) => db.memoryEntry.findFirstOrThrow({ where: { tenantId: fx.tenant.id, key } }));
    expect(entry.updatedBy).toBe("agent:whatsapp:+15550001");
  });

  it("the requester cannot approve their own call, and a member who is no approver cannot either", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    await expect(
      voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${fx.users.member.id}`, role: "member" }, "approve", null),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const owner = await addMember(fx.tenant.id, "owner");
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.update({ where: { id: held.requestId }, data: { requestedBy: `user:${owner.user.id}` } }),
    );
    await expect(
      voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${owner.user.id}`, role: "owner" }, "approve", null),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("changing the held call's arguments after approval makes the approval invalid", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const other = `other-${crypto.randomUUID().slice(0, 8)}`;
    await setMemory(fx.tenant.id, other, "must survive", "user:test");
    // Someone rewrites the stored call to delete another key after people looked at it.
    await withTenant(fx.tenant.id, (db) => db.approvalRequest.update({ where: { id: held.requestId }, data: { args: { key: other } } }));
    const result = await voteOnRequest(
      fx.tenant.id,
      held.requestId,
      { principal: `user:${fx.users.approver.id}`, role: "approver" },
      "approve",
      "ok",
    );
    expect(result.outcome).toMatchObject({
      status: "denied",
      decision: { step: "approval", explanation: expect.stringContaining("changed after it was approved") },
    });
    expect(await stateOf(fx, held.requestId, other)).toMatchObject({ deletes: 0 });
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ deletes: 0 });
  });
});

describe("chains and timers", () => {
  it("a two-tier chain with a quorum: 2 of the approvers, then an admin distinct from them", async () => {
    const fx = await tenantHoldingDeletes();
    await useWorkflow(fx, {
      routes: [
        {
          id: "destructive",
          name: "Destructive calls",
          match: { safetyClasses: ["destructive"] },
          tiers: [
            tier({ name: "Two approvers", quorum: 2, slaMinutes: 60 }),
            tier({ name: "Admin", approvers: { roles: ["admin"], users: [], agents: [] }, slaMinutes: 60 }),
          ],
        },
      ],
      defaultRoute: { tiers: [tier({})] },
    });
    const second = await addMember(fx.tenant.id, "approver");
    const held = await heldDelete(fx);
    const vote = (id: string, role: "approver" | "admin" | "owner") =>
      voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${id}`, role }, "approve", null);
    expect((await vote(fx.users.approver.id, "approver")).status).toBe("pending");
    expect((await stateOf(fx, held.requestId, held.key)).tier).toBe(0);
    expect(await vote(second.user.id, "approver")).toMatchObject({ status: "pending", tier: 1 });
    // Tier 2 wants an admin who did not vote in tier 1.
    expect(await vote(fx.users.admin.id, "admin")).toMatchObject({ status: "approved" });
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "approved", votes: 3, deletes: 1 });
  });

  it("a deadline that passed while the server was down expires the request once when the sweep runs; the call never executes", async () => {
    const fx = await tenantHoldingDeletes();
    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ slaMinutes: 1, onTimeout: "deny" })] } });
    const held = await heldDelete(fx);
    const later = new Date(Date.now() + 5 * 60_000);
    // The first sweep after the restart, then another one: one transition.
    await runApprovalSweep(later);
    await runApprovalSweep(later);
    const after = await stateOf(fx, held.requestId, held.key);
    expect(after).toMatchObject({ status: "denied", deletes: 0, results: 0 });
    const timeouts = await withTenant(fx.tenant.id, (db) =>
      db.event.count({ where: { tenantId: fx.tenant.id, type: "approval.timed_out" } }),
    );
    expect(timeouts).toBe(1);
    // A late vote changes nothing.
    await expect(
      voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${fx.users.approver.id}`, role: "approver" }, "approve", null),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await stateOf(fx, held.requestId, held.key)).deletes).toBe(0);
  });

  it("an approval a crash left before its call was claimed is finished by the sweep once; one decided too long ago is left alone", async () => {
    const fx = await tenantHoldingDeletes();
    const [recent, old] = [await heldDelete(fx), await heldDelete(fx)];
    const now = Date.now();
    // As the vote's transaction leaves it when the process stops before settling.
    const decideAt = (requestId: string, at: Date) =>
      withTenant(fx.tenant.id, (db) =>
        db.approvalRequest.update({ where: { id: requestId }, data: { status: "approved", decidedAt: at, comment: "ok" } }),
      );
    await decideAt(recent.requestId, new Date(now - 2 * 60_000));
    await decideAt(old.requestId, new Date(now - 3 * 60 * 60_000));

    expect(await finishDecided(fx.tenant.id, new Date(now))).toBe(1);
    expect(await finishDecided(fx.tenant.id, new Date(now))).toBe(0);
    expect(await stateOf(fx, recent.requestId, recent.key)).toMatchObject({ status: "approved", deletes: 1, results: 1 });
    expect((await stateOf(fx, recent.requestId, recent.key)).reply).toContain("approved and ran");
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: recent.runId } }));
    expect(run.status).toBe("completed");
    // Hours late, the call is not run behind everyone's back.
    expect(await stateOf(fx, old.requestId, old.key)).toMatchObject({ status: "approved", deletes: 0, results: 0 });
  });

  it("a decision just taken is left to its own settle", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.update({ where: { id: held.requestId }, data: { status: "approved", decidedAt: new Date(), comment: "ok" } }),
    );
    expect(await finishDecided(fx.tenant.id)).toBe(0);
    expect((await stateOf(fx, held.requestId, held.key)).deletes).toBe(0);
  });

  it("escalation moves to the next tier with a fresh deadline; allow on timeout executes once", async () => {
    const fx = await tenantHoldingDeletes();
    await useWorkflow(fx, {
      routes: [],
      defaultRoute: {
        tiers: [
          tier({ slaMinutes: 1, onTimeout: "escalate" }),
          tier({ name: "Owners", approvers: { roles: ["owner"], users: [], agents: [] }, slaMinutes: 1, onTimeout: "allow" }),
        ],
      },
    });
    const held = await heldDelete(fx);
    await expireOverdue(fx.tenant.id, new Date(Date.now() + 2 * 60_000));
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "pending", tier: 1 });
    // The new tier's deadline runs from the escalation, not from the request.
    const request = await withTenant(fx.tenant.id, (db) => db.approvalRequest.findUniqueOrThrow({ where: { id: held.requestId } }));
    expect(request.deadlineAt?.getTime()).toBeGreaterThan(Date.now());
    await expireOverdue(fx.tenant.id, new Date(Date.now() + 10 * 60_000));
    await expireOverdue(fx.tenant.id, new Date(Date.now() + 10 * 60_000));
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "approved", deletes: 1, results: 1 });
  });

  it("a new workflow version does not change requests already on their way", async () => {
    const fx = await tenantHoldingDeletes();
    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ slaMinutes: 60 })] } });
    const held = await heldDelete(fx);
    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ slaMinutes: 60, quorum: 3 })] } });
    const result = await voteOnRequest(
      fx.tenant.id,
      held.requestId,
      { principal: `user:${fx.users.approver.id}`, role: "approver" },
      "approve",
      null,
    );
    expect(result.status).toBe("approved");
    const request = await withTenant(fx.tenant.id, (db) => db.approvalRequest.findUniqueOrThrow({ where: { id: held.requestId } }));
    expect(request.workflowVersion).toBe(1);
  });

  it("the workflow's history lists every save; an admin restores an earlier one as a new version, which new requests follow", async () => {
    const fx = await tenantHoldingDeletes();
    const tenantSlug = fx.tenant.slug;
    const admin = callerFor(fx.users.admin);
    expect(await admin.approval.workflow({ tenantSlug })).toMatchObject({ id: null, version: null });
    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ name: "First desk", slaMinutes: 60 })] } });
    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ name: "Second desk", slaMinutes: 60 })] } });
    const current = await admin.approval.workflow({ tenantSlug });
    expect(current).toMatchObject({ version: 2 });
    const ref = { tenantSlug, kind: "approval_workflow", id: current.id ?? "" };

    const versions = await callerFor(fx.users.member).recovery.versions(ref);
    expect(versions.map((version) => version.version)).toEqual([2, 1]);
    const diff = await admin.recovery.diff({ ...ref, from: 1, to: 2 });
    expect(
      diff.fields
        .find((field) => field.field === "defaultRoute")
        ?.parts.filter((part) => part.added)
        .map((part) => part.value.trim()),
    ).toEqual(['"name": "Second desk",']);

    // Who approves what is for admins to bring back.
    await expect(callerFor(fx.users.member).recovery.restoreVersion({ ...ref, version: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await admin.recovery.restoreVersion({ ...ref, version: 1 });
    const restored = await admin.approval.workflow({ tenantSlug });
    expect(restored).toMatchObject({ id: current.id, version: 3 });
    expect(restored.workflow.defaultRoute.tiers[0]?.name).toBe("First desk");
    const held = await heldDelete(fx);
    const request = await withTenant(fx.tenant.id, (db) => db.approvalRequest.findUniqueOrThrow({ where: { id: held.requestId } }));
    expect(request).toMatchObject({ workflowVersion: 3 });
    expect((request.tiers as { name: string }[])[0]?.name).toBe("First desk");

    // Another tenant sees nothing of it.
    const other = await createTenantFixture();
    await expect(
      callerFor(other.users.admin).recovery.versions({ tenantSlug: other.tenant.slug, kind: "approval_workflow", id: current.id ?? "" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("two first saves at the same moment: one is version 1, the other a CONFLICT", async () => {
    const fx = await tenantHoldingDeletes();
    const saves = await Promise.allSettled(
      [60, 120].map((slaMinutes) => useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ slaMinutes })] } })),
    );
    expect(saves.map((save) => save.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(saves.find((save) => save.status === "rejected")).toMatchObject({ reason: { code: "CONFLICT" } });
    expect(await withTenant(fx.tenant.id, (db) => db.approvalWorkflowVersion.findMany({ select: { version: true } }))).toEqual([
      { version: 1 },
    ]);
  });

  it("a tier decided by a policy pack needs no people", async () => {
    const fx = await tenantHoldingDeletes();
    await useWorkflow(fx, {
      routes: [],
      defaultRoute: {
        tiers: [
          tier({ name: "Baseline decides", approvers: { roles: [], users: [], agents: [], pack: { name: "baseline", version: 1 } } }),
        ],
      },
    });
    const held = await heldDelete(fx);
    // baseline permits members: the pack approves and the call runs.
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "approved", deletes: 1 });
  });

  it("a tier decided by the tenant's own pack, by name and version; a workflow naming a missing pack is refused; the pack cannot be deleted while used", async () => {
    const fx = await tenantHoldingDeletes();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    await admin.policyPack.create({
      tenantSlug,
      name: "delete-desk",
      text: '@id("members-may-delete")\npermit (principal, action == Action::"memory.delete", resource);',
    });
    const desk = (await admin.policyPack.list({ tenantSlug })).find((pack) => pack.name === "delete-desk");
    await admin.policyPack.addVersion({
      tenantSlug,
      packId: desk?.id ?? "",
      text: '@id("no-deletes")\n@reason("the desk refuses deletes this week")\nforbid (principal, action == Action::"memory.delete", resource);',
    });
    const deskTier = (version: number) =>
      tier({ name: "Delete desk", approvers: { roles: [], users: [], agents: [], pack: { name: "delete-desk", version } } });

    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [deskTier(1)] } });
    const first = await heldDelete(fx);
    expect(await stateOf(fx, first.requestId, first.key)).toMatchObject({ status: "approved", deletes: 1 });

    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [deskTier(2)] } });
    const second = await heldDelete(fx);
    const refused = await stateOf(fx, second.requestId, second.key);
    expect(refused).toMatchObject({ status: "denied", deletes: 0 });
    expect(refused.reply).toContain("the desk refuses deletes this week");

    await expect(
      admin.approval.saveWorkflow({ tenantSlug, definition: { routes: [], defaultRoute: { tiers: [deskTier(3)] } } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: 'Tier "Delete desk" is decided by pack delete-desk v3, which does not exist.',
    });
    await expect(admin.policyPack.delete({ tenantSlug, packId: desk?.id ?? "" })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("the durable sweep (pg-boss)", () => {
  // Real time: the worker's own cron sends the minute's sweep (up to a minute and ~15 s).
  it("a deadline that passed while no worker ran is handled once by the next worker's own cron", { timeout: 120_000 }, async () => {
    const fx = await tenantHoldingDeletes();
    await useWorkflow(fx, { routes: [], defaultRoute: { tiers: [tier({ slaMinutes: 1, onTimeout: "deny" })] } });
    const held = await heldDelete(fx);
    // The deadline passes while the process is down.
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.update({ where: { id: held.requestId }, data: { deadlineAt: new Date(Date.now() - 5_000) } }),
    );
    const worker = await startWorker(inject("databaseUrl"));
    try {
      for (let waited = 0; waited < 100_000 && (await stateOf(fx, held.requestId, held.key)).status === "pending"; waited += 1_000)
        await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await worker.stop({ graceful: false, wait: true });
    }
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "denied", deletes: 0 });
    const timeouts = await withTenant(fx.tenant.id, (db) =>
      db.event.count({ where: { tenantId: fx.tenant.id, type: "approval.timed_out" } }),
    );
    expect(timeouts).toBe(1);
  });
});

describe("notifications", () => {
  it("a held call tells the approvers, and its decision is told too", async () => {
    const fx = await tenantHoldingDeletes();
    const hook = await createCredential(fx.tenant.id, fx.users.admin.id, {
      provider: "webhook",
      label: "approvals",
      fields: { url: "https://hooks.example.invalid/approvals", signingSecret: "approvals-signing-secret" },
    });
    await withTenant(fx.tenant.id, (db) =>
      db.approvalNotificationSetting.create({ data: { tenantId: fx.tenant.id, webhookCredentialId: hook.id, updatedBy: "user:test" } }),
    );
    const held = await heldDelete(fx);
    await voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${fx.users.approver.id}`, role: "approver" }, "deny", "no");
    const queued = await withTenant(fx.tenant.id, (db) =>
      db.approvalNotification.findMany({ where: { tenantId: fx.tenant.id, requestId: held.requestId }, orderBy: { createdAt: "asc" } }),
    );
    expect(queued.map((row) => [row.kind, row.channel])).toEqual([
      ["requested", "webhook"],
      ["decided", "webhook"],
    ]);
  });
});

describe("withdrawing a held call", () => {
  it("the requester withdraws it: it never runs, the run ends with the reason, the inbox drops it, a late vote is refused", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const member = callerFor(fx.users.member);
    expect(await member.approval.cancel({ tenantSlug: fx.tenant.slug, requestId: held.requestId, comment: "changed my mind" })).toEqual({
      status: "cancelled",
    });
    const after = await stateOf(fx, held.requestId, held.key);
    expect(after).toMatchObject({ status: "cancelled", deletes: 0, results: 0 });
    expect(after.reply).toBe("memory.delete was withdrawn: changed my mind");
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: held.runId } }));
    expect(run.status).toBe("completed");
    const events = await withTenant(fx.tenant.id, (db) =>
      db.event.findMany({ where: { tenantId: fx.tenant.id, runId: held.runId, type: "approval.cancelled" } }),
    );
    expect(events.map((event) => JSON.parse(event.payload) as unknown)).toEqual([
      { approvalRequestId: held.requestId, by: `user:${fx.users.member.id}`, comment: "changed my mind" },
    ]);
    const approver = callerFor(fx.users.approver);
    expect((await approver.approval.inbox({ tenantSlug: fx.tenant.slug })).map((item) => item.id)).not.toContain(held.requestId);
    await expect(
      approver.approval.decide({ tenantSlug: fx.tenant.slug, requestId: held.requestId, vote: "approve" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(member.approval.cancel({ tenantSlug: fx.tenant.slug, requestId: held.requestId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await stateOf(fx, held.requestId, held.key)).deletes).toBe(0);
  });

  it("another member cannot withdraw it; an admin can", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const other = await addMember(fx.tenant.id, "member");
    await expect(callerFor(other.user).approval.cancel({ tenantSlug: fx.tenant.slug, requestId: held.requestId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await stateOf(fx, held.requestId, held.key)).status).toBe("pending");
    await callerFor(fx.users.admin).approval.cancel({ tenantSlug: fx.tenant.slug, requestId: held.requestId });
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "cancelled", deletes: 0 });
    expect((await stateOf(fx, held.requestId, held.key)).reply).toBe("memory.delete was withdrawn: withdrawn by an admin");
  });

  it("a withdrawal racing an approval: one outcome, and the call runs only if the approval won", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const [cancelled, approved] = await Promise.allSettled([
      callerFor(fx.users.member).approval.cancel({ tenantSlug: fx.tenant.slug, requestId: held.requestId }),
      voteOnRequest(fx.tenant.id, held.requestId, { principal: `user:${fx.users.approver.id}`, role: "approver" }, "approve", null),
    ]);
    expect([cancelled.status, approved.status].filter((status) => status === "fulfilled")).toHaveLength(1);
    const after = await stateOf(fx, held.requestId, held.key);
    expect(after.status).toBe(cancelled.status === "fulfilled" ? "cancelled" : "approved");
    expect(after.deletes).toBe(after.status === "approved" ? 1 : 0);
  });
});

describe("closing a stalled request by hand", () => {
  it("an admin closes a call claimed and never finished: the run ends with the note, the sweep never runs it, closing twice is refused", async () => {
    const fx = await tenantHoldingDeletes();
    const [stuck, fresh] = [await heldDelete(fx), await heldDelete(fx)];
    const now = Date.now();
    // Claimed 10 minutes ago, then the process died: the call may or may not have run.
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.update({
        where: { id: stuck.requestId },
        data: { status: "approved", comment: "ok", decidedAt: new Date(now - 10 * 60_000), executedAt: new Date(now - 10 * 60_000) },
      }),
    );
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const stalled = await admin.approval.stalled({ tenantSlug });
    expect(stalled.map((item) => [item.id, item.tool, item.status, item.isClaimed])).toEqual([
      [stuck.requestId, "memory.delete", "approved", true],
    ]);

    await admin.approval.close({ tenantSlug, requestId: stuck.requestId, result: "did_not_run", note: "no delete in the memory history" });
    const after = await stateOf(fx, stuck.requestId, stuck.key);
    expect(after).toMatchObject({ status: "approved", deletes: 0, results: 0 });
    expect(after.reply).toBe("memory.delete did not run (checked by an admin): no delete in the memory history");
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: stuck.runId } }));
    expect(run.status).toBe("failed");
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findFirst({ where: { tenantId: fx.tenant.id, action: "approval.closed", targetId: stuck.requestId } }),
    );
    expect(audit).toMatchObject({
      actorUserId: fx.users.admin.id,
      data: { result: "did_not_run", note: "no delete in the memory history" },
    });
    expect(await admin.approval.stalled({ tenantSlug })).toEqual([]);

    await expect(admin.approval.close({ tenantSlug, requestId: stuck.requestId, result: "ran", note: "again" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    // A pending request is not stalled: it is the approvers' to decide.
    await expect(admin.approval.close({ tenantSlug, requestId: fresh.requestId, result: "ran", note: "no" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await finishDecided(fx.tenant.id, new Date(now + 60 * 60_000))).toBe(0);
    expect((await stateOf(fx, stuck.requestId, stuck.key)).deletes).toBe(0);
  });

  it("closing an unclaimed old approval claims it, so no sweep runs it afterwards", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const decidedAt = new Date(Date.now() - 2 * 60 * 60_000);
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.update({ where: { id: held.requestId }, data: { status: "approved", comment: "ok", decidedAt } }),
    );
    await callerFor(fx.users.owner).approval.close({
      tenantSlug: fx.tenant.slug,
      requestId: held.requestId,
      result: "did_not_run",
      note: "too late now",
    });
    // Even a sweep that would still finish it (as if it were decided a minute and a half ago).
    expect(await finishDecided(fx.tenant.id, new Date(decidedAt.getTime() + 90_000))).toBe(0);
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ deletes: 0, results: 0 });
  });
});

describe("deciding many at once", () => {
  it("each request answers for itself: decided ones run once, another tenant's is not found, a decided one says so", async () => {
    const a = await tenantHoldingDeletes();
    const b = await tenantHoldingDeletes();
    const [first, second] = [await heldDelete(a), await heldDelete(a)];
    const foreign = await heldDelete(b);
    const approver = callerFor(a.users.approver);
    const results = await approver.approval.decideMany({
      tenantSlug: a.tenant.slug,
      requestIds: [first.requestId, foreign.requestId, second.requestId],
      vote: "approve",
      comment: "batch",
    });
    expect(results).toEqual([
      { requestId: first.requestId, status: "approved", error: null },
      { requestId: foreign.requestId, status: null, error: "Approval request not found." },
      { requestId: second.requestId, status: "approved", error: null },
    ]);
    expect(await stateOf(a, first.requestId, first.key)).toMatchObject({ status: "approved", deletes: 1, results: 1 });
    expect(await stateOf(a, second.requestId, second.key)).toMatchObject({ status: "approved", deletes: 1, results: 1 });
    expect((await stateOf(b, foreign.requestId, foreign.key)).status).toBe("pending");

    const again = await callerFor(a.users.admin).approval.decideMany({
      tenantSlug: a.tenant.slug,
      requestIds: [first.requestId],
      vote: "deny",
    });
    expect(again).toEqual([{ requestId: first.requestId, status: null, error: expect.stringMatching(/^the request is already approved/) }]);
    expect(await stateOf(a, first.requestId, first.key)).toMatchObject({ status: "approved", deletes: 1, results: 1 });
  });

  it("a request that fails inside answers with the generic message, not the database's", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDelete(fx);
    const restore = await refuseInserts("approval_votes", `NEW.request_id = '${held.requestId}'`);
    try {
      const results = await callerFor(fx.users.approver).approval.decideMany({
        tenantSlug: fx.tenant.slug,
        requestIds: [held.requestId],
        vote: "approve",
      });
      expect(results).toEqual([{ requestId: held.requestId, status: null, error: INTERNAL_MESSAGE }]);
    } finally {
      await restore();
    }
    expect(await stateOf(fx, held.requestId, held.key)).toMatchObject({ status: "pending", votes: 0, deletes: 0 });
  });
});

describe("tenants", () => {
  it("an approver of tenant B never sees or decides tenant A's requests", async () => {
    const a = await tenantHoldingDeletes();
    const b = await tenantHoldingDeletes();
    const held = await heldDelete(a);
    const approverB = callerFor(b.users.approver);
    expect(await approverB.approval.inbox({ tenantSlug: b.tenant.slug })).toEqual([]);
    await expect(approverB.approval.get({ tenantSlug: b.tenant.slug, requestId: held.requestId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      approverB.approval.decide({ tenantSlug: b.tenant.slug, requestId: held.requestId, vote: "approve" }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // Naming tenant A without being its member is refused before anything is read.
    await expect(approverB.approval.inbox({ tenantSlug: a.tenant.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const inboxA = await callerFor(a.users.approver).approval.inbox({ tenantSlug: a.tenant.slug });
    expect(inboxA.map((item) => item.id)).toContain(held.requestId);
    expect((await stateOf(a, held.requestId, held.key)).status).toBe("pending");
  });
});
