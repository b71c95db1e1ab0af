// Who may call what: every procedure of the app router, for every kind of
// principal. The procedure list comes from the router itself, so a new
// procedure without a row here fails this test.
import { createHash, randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, hasRole, type TRole } from "@/server/auth/roles";
import type { TSessionUser } from "@/server/auth/users";
import {
  addInvitation,
  addMember,
  callPath,
  createTenantFixture,
  createUser,
  TEST_PASSWORD,
  uniqueSlug,
  type TTenantFixture,
} from "@/server/test/factories";
import { runAgentTurn } from "@/server/agent/loop";
import { DEFAULT_WORKFLOW } from "@/server/approvals/types";
import { scriptedPlanner } from "@/server/agent/planner";
import { createAgentKey } from "@/server/agents/keys";
import { createCredential } from "@/server/credentials/service";
import { toolCatalog } from "@/server/tools/catalog";
import { withTenant, withoutTenant } from "@/server/db";
import { setMemory, softDeleteMemory } from "@/server/memory/service";
import { createPack } from "@/server/policy/packs";
import { createBudget } from "@/server/budgets/service";
import { appRouter } from "./root";

type Fixtures = { a: TTenantFixture; b: TTenantFixture };
type Access = "public" | "authed" | "operator" | { tenant: TRole };
type Row = {
  access: Access;
  /** A valid input, made fresh per call (mutations consume their target). */
  input: (fx: Fixtures, caller: TSessionUser | null) => Promise<unknown> | unknown;
  /** The same call naming tenant A but an object of tenant B: must be NOT_FOUND. */
  crossTenant: ((fx: Fixtures) => Promise<unknown>) | "takes no object id";
};

const tenantA = (fx: Fixtures) => ({ tenantSlug: fx.a.tenant.slug });

async function conversationOf(tenantId: string, userId: string): Promise<string> {
  return withTenant(tenantId, async (db) => (await db.conversation.create({ data: { tenantId, userId, title: "matrix" } })).id);
}

/** A conversation of the caller's own in tenant A (or of A's owner, for callers who are not members). */
async function ownConversation(fx: Fixtures, caller: TSessionUser | null): Promise<string> {
  const isMember = caller && Object.values(fx.a.users).some((user) => user.id === caller.id);
  return conversationOf(fx.a.tenant.id, isMember ? caller.id : fx.a.users.owner.id);
}

// A webhook to a reserved, unroutable name: nothing in these tests ever reaches it.
const WEBHOOK_FIELDS = { url: "https://hooks.example.invalid/agent", signingSecret: "matrix-signing-secret" };
const NOTIFY_SETTINGS = { emailCredentialId: null, emailTo: [], events: ["requested"] };

/** A held call of the tenant, requested by nobody in the matrix (so every approver may decide it). */
async function heldRequestOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const run = await db.run.create({ data: { tenantId: fixture.tenant.id, title: "matrix hold", principal: "user:matrix" } });
    const request = await db.approvalRequest.create({
      data: {
        tenantId: fixture.tenant.id,
        runId: run.id,
        tool: "memory.delete",
        args: { key: "matrix" },
        digest: "matrix",
        decision: { effect: "require_approval", step: "approval", explanation: "matrix", policies: [], tags: [] },
        requestedBy: `user:${crypto.randomUUID()}`,
        deadlineAt: new Date(Date.now() + 60 * 60_000),
      },
    });
    return request.id;
  });
}

/** A request approved ten minutes ago whose call never got an outcome (as a crash leaves it). */
/** An external call started long ago that never finished (its process stopped): outcome unknown. */
async function unknownOutcomeOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const run = await db.run.create({ data: { tenantId: fixture.tenant.id, title: "matrix unknown", principal: "user:matrix" } });
    const row = await db.toolExecution.create({
      data: {
        tenantId: fixture.tenant.id,
        runId: run.id,
        tool: "web.fetch",
        decision: { tool: "web.fetch", args: {} },
        deadlineAt: new Date(Date.now() - 60_000),
      },
    });
    return row.id;
  });
}

async function stalledRequestOf(fixture: TTenantFixture): Promise<string> {
  const requestId = await heldRequestOf(fixture);
  await withTenant(fixture.tenant.id, (db) =>
    db.approvalRequest.update({ where: { id: requestId }, data: { status: "approved", decidedAt: new Date(Date.now() - 10 * 60_000) } }),
  );
  return requestId;
}

async function scriptedRunOf(fixture: TTenantFixture): Promise<string> {
  const run = await runAgentTurn(await toolCatalog("saas"), scriptedPlanner, {
    tenantId: fixture.tenant.id,
    principal: { type: "User", id: fixture.users.owner.id, role: "owner", label: "user:matrix" },
    message: "what do you remember?",
  });
  return run.runId;
}

const PACK_TEXT = '@id("matrix-permit")\npermit (principal, action == Action::"memory.get", resource);';

async function packOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const actor = { userId: null, label: "user:matrix" };
    return (await createPack(db, fixture.tenant.id, actor, { name: uniqueSlug("pack"), text: PACK_TEXT })).id;
  });
}

/** A memory entry of the tenant (in the Trash with `isDeleted`), made fresh for each call. */
async function memoryOf(fixture: TTenantFixture, isDeleted: boolean): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const key = uniqueSlug("note");
    await setMemory(fixture.tenant.id, key, "matrix value", "user:matrix");
    if (isDeleted) await softDeleteMemory(db, fixture.tenant.id, { key }, "user:matrix");
    return (await db.memoryEntry.findUniqueOrThrow({ where: { tenantId_key: { tenantId: fixture.tenant.id, key } } })).id;
  });
}

async function credentialOf(fixture: TTenantFixture): Promise<string> {
  const created = await createCredential(fixture.tenant.id, fixture.users.owner.id, {
    provider: "webhook",
    label: uniqueSlug("hook"),
    fields: WEBHOOK_FIELDS,
  });
  return created.id;
}

/** An agent approver's API key of the tenant (id only), made fresh for each call. */
async function agentKeyOf(fixture: TTenantFixture): Promise<string> {
  const input = { agentId: "matrix-bot", label: uniqueSlug("key") };
  return withTenant(fixture.tenant.id, async (db) => (await createAgentKey(db, fixture.tenant.id, fixture.users.owner.id, input)).id);
}

/** A skill of the tenant, made fresh for each call. */
async function skillOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const name = uniqueSlug("skill");
    const skill = await db.skill.create({ data: { tenantId: fixture.tenant.id, name, body: "# Matrix", updatedBy: "user:matrix" } });
    await db.skillVersion.create({
      data: { tenantId: fixture.tenant.id, skillId: skill.id, version: 1, name, description: "", body: "# Matrix", actor: "user:matrix" },
    });
    return skill.id;
  });
}

async function budgetOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const actor = { userId: null, label: "user:matrix" };
    const input = {
      name: uniqueSlug("budget"),
      metric: "tool_calls" as const,
      period: "day" as const,
      limitAmount: 100,
      principal: null,
      tool: null,
    };
    return (await createBudget(db, fixture.tenant.id, actor, input)).id;
  });
}

const MATRIX_WORKFLOW = { start: "done", nodes: [{ id: "done", type: "transform", set: { ok: true } }] };

/** A workflow of the tenant (one transform step, no side effect), made fresh for each call. */
async function workflowOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const name = uniqueSlug("flow");
    const workflow = await db.workflow.create({
      data: { tenantId: fixture.tenant.id, name, definition: MATRIX_WORKFLOW, updatedBy: "user:matrix" },
    });
    await db.workflowVersion.create({
      data: {
        tenantId: fixture.tenant.id,
        workflowId: workflow.id,
        version: 1,
        name,
        description: "",
        definition: MATRIX_WORKFLOW,
        actor: "user:matrix",
      },
    });
    return workflow.id;
  });
}

/** A cron schedule / heartbeat task of the tenant, made fresh for each call (written directly: the caps are not the matrix's subject). */
async function scheduleOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const data = { tenantId: fixture.tenant.id, label: uniqueSlug("cron"), expression: "0 9 1 1 *", timezone: "UTC", message: "matrix" };
    const row = await db.cronSchedule.create({
      data: { ...data, createdBy: "user:matrix", updatedBy: "user:matrix", nextRunAt: new Date("2999-01-01") },
    });
    await db.cronScheduleVersion.create({ data: { ...data, scheduleId: row.id, version: 1, actor: "user:matrix" } });
    return row.id;
  });
}

async function heartbeatOf(fixture: TTenantFixture): Promise<string> {
  return withTenant(fixture.tenant.id, async (db) => {
    const data = { tenantId: fixture.tenant.id, label: uniqueSlug("beat"), intervalMinutes: 60, timezone: "UTC", message: "matrix" };
    const row = await db.heartbeatTask.create({
      data: { ...data, createdBy: "user:matrix", updatedBy: "user:matrix", nextRunAt: new Date("2999-01-01") },
    });
    await db.heartbeatTaskVersion.create({ data: { ...data, taskId: row.id, version: 1, isEnabled: true, actor: "user:matrix" } });
    return row.id;
  });
}

/** A live reset token for a fresh user, stored as the reset request would. */
async function resetTokenFor(): Promise<{ token: string; newPassword: string }> {
  const user = await createUser();
  const token = randomBytes(32).toString("base64url");
  const hash = createHash("sha256").update(token).digest("hex");
  const expiresAt = new Date(Date.now() + 60 * 60 * 1000);
  await withoutTenant((db) => db.$queryRaw`SELECT password_reset_request(${user.email}, ${hash}, ${expiresAt})`);
  return { token, newPassword: "a long enough password" };
}

const MATRIX: Record<string, Row> = {
  "me.get": { access: "authed", input: () => undefined, crossTenant: "takes no object id" },
  "account.changePassword": {
    access: "authed",
    // The same password again: the fixture users keep signing in with it.
    input: () => ({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }),
    crossTenant: "takes no object id",
  },
  "account.signOutEverywhere": { access: "authed", input: () => undefined, crossTenant: "takes no object id" },
  "account.requestReset": {
    access: "public",
    input: () => ({ email: `${uniqueSlug("reset")}@example.test` }),
    crossTenant: "takes no object id",
  },
  "account.completeReset": { access: "public", input: () => resetTokenFor(), crossTenant: "takes no object id" },
  "tenant.list": { access: "authed", input: () => undefined, crossTenant: "takes no object id" },
  "tenant.get": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "member.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "member.names": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "member.invite": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), email: `${uniqueSlug("new")}@example.test`, role: "member" }),
    crossTenant: "takes no object id",
  },
  "member.updateRole": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.a.tenant.id, "viewer")).membershipId, role: "member" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.b.tenant.id, "viewer")).membershipId, role: "member" }),
  },
  "member.remove": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.a.tenant.id, "viewer")).membershipId }),
    crossTenant: async (fx) => ({ ...tenantA(fx), membershipId: (await addMember(fx.b.tenant.id, "viewer")).membershipId }),
  },
  "invitation.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "invitation.revoke": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), invitationId: (await addInvitation(fx.a.tenant.id, fx.a.users.owner.id)).id }),
    crossTenant: async (fx) => ({ ...tenantA(fx), invitationId: (await addInvitation(fx.b.tenant.id, fx.b.users.owner.id)).id }),
  },
  "invitation.get": {
    access: "public",
    input: async (fx) => ({ token: (await addInvitation(fx.a.tenant.id, fx.a.users.owner.id)).token }),
    crossTenant: "takes no object id",
  },
  "invitation.accept": {
    access: "public",
    input: async (fx) => ({
      token: (await addInvitation(fx.a.tenant.id, fx.a.users.owner.id)).token,
      name: "New Person",
      password: "a long enough password",
    }),
    crossTenant: "takes no object id",
  },
  "audit.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "run.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "run.get": {
    access: { tenant: "viewer" },
    input: (fx) => ({ ...tenantA(fx), runId: fx.a.runId }),
    crossTenant: async (fx) => ({ ...tenantA(fx), runId: fx.b.runId }),
  },
  "trace.verify": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "trace.verifyRange": {
    access: { tenant: "viewer" },
    input: (fx) => ({ ...tenantA(fx), fromSeq: "2", toSeq: "4" }),
    crossTenant: "takes no object id",
  },
  "trace.settings": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "trace.updateSettings": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), checkpointEvery: 2, checkpointMinutes: 10, anchoring: "builtin", retention: { tool_result: 30 } }),
    crossTenant: "takes no object id",
  },
  "trace.applyRetention": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "trace.exportCount": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "checkpoint.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "checkpoint.proof": { access: { tenant: "viewer" }, input: (fx) => ({ ...tenantA(fx), seq: "3" }), crossTenant: "takes no object id" },
  "checkpoint.consistency": {
    access: { tenant: "viewer" },
    input: (fx) => ({ ...tenantA(fx), oldSize: 0 }),
    crossTenant: "takes no object id",
  },
  "checkpoint.treeHead": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "signingKey.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "signingKey.rotate": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "conversation.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "conversation.create": {
    access: { tenant: "member" },
    input: (fx) => ({ ...tenantA(fx), title: "Matrix chat" }),
    crossTenant: "takes no object id",
  },
  "conversation.get": {
    access: { tenant: "member" },
    // Conversations are private: each principal opens one of its own.
    input: async (fx, caller) => ({ ...tenantA(fx), conversationId: await ownConversation(fx, caller) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), conversationId: await conversationOf(fx.b.tenant.id, fx.b.users.owner.id) }),
  },
  "conversation.send": {
    access: { tenant: "member" },
    input: async (fx, caller) => ({ ...tenantA(fx), conversationId: await ownConversation(fx, caller), message: "what do you remember?" }),
    crossTenant: async (fx) => ({
      ...tenantA(fx),
      conversationId: await conversationOf(fx.b.tenant.id, fx.b.users.owner.id),
      message: "what do you remember?",
    }),
  },
  "model.get": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  // The scripted planner keeps the other rows' chat turns offline.
  "model.save": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), provider: "scripted" }),
    crossTenant: "takes no object id",
  },
  "model.reset": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "credential.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "credential.create": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), provider: "webhook", label: uniqueSlug("hook"), fields: WEBHOOK_FIELDS }),
    crossTenant: "takes no object id",
  },
  "credential.rotate": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.a), fields: WEBHOOK_FIELDS }),
    crossTenant: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.b), fields: WEBHOOK_FIELDS }),
  },
  "credential.remove": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.b) }),
  },
  "credential.check": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), credentialId: await credentialOf(fx.b) }),
  },
  "approvalNotification.settings": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "approvalNotification.saveSettings": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), ...NOTIFY_SETTINGS, webhookCredentialId: await credentialOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), ...NOTIFY_SETTINGS, webhookCredentialId: await credentialOf(fx.b) }),
  },
  "approvalNotification.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "agentKey.list": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "agentKey.create": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), agentId: "matrix-bot", label: uniqueSlug("key") }),
    crossTenant: "takes no object id",
  },
  "agentKey.revoke": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), keyId: await agentKeyOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), keyId: await agentKeyOf(fx.b) }),
  },
  "run.unknownOutcomes": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "run.closeOutcome": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), executionId: await unknownOutcomeOf(fx.a), result: "did_not_run", note: "matrix" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), executionId: await unknownOutcomeOf(fx.b), result: "did_not_run", note: "matrix" }),
  },
  "run.replay": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), runId: await scriptedRunOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), runId: await scriptedRunOf(fx.b) }),
  },
  "policyPack.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "policyPack.create": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), name: uniqueSlug("pack"), text: PACK_TEXT }),
    crossTenant: "takes no object id",
  },
  "policyPack.addVersion": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), packId: await packOf(fx.a), text: PACK_TEXT }),
    crossTenant: async (fx) => ({ ...tenantA(fx), packId: await packOf(fx.b), text: PACK_TEXT }),
  },
  "policyPack.delete": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), packId: await packOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), packId: await packOf(fx.b) }),
  },
  "outbox.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "memory.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "memory.remove": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), entryId: await memoryOf(fx.a, false) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), entryId: await memoryOf(fx.b, false) }),
  },
  "recovery.trash": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "recovery.versions": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.a, true) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.b, true) }),
  },
  "recovery.diff": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.a, true), from: 1, to: 1 }),
    crossTenant: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.b, true), from: 1, to: 1 }),
  },
  "recovery.restore": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.a, true) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.b, true) }),
  },
  "recovery.restoreVersion": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.a, true), version: 1 }),
    crossTenant: async (fx) => ({ ...tenantA(fx), kind: "memory", id: await memoryOf(fx.b, true), version: 1 }),
  },
  "recovery.settings": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "recovery.empty": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), confirm: "empty the trash" }),
    crossTenant: "takes no object id",
  },
  "recovery.updateSettings": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), purgeAfterDays: 30 }),
    crossTenant: "takes no object id",
  },
  "budget.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "budget.history": {
    access: { tenant: "viewer" },
    input: async (fx) => ({ ...tenantA(fx), budgetId: await budgetOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), budgetId: await budgetOf(fx.b) }),
  },
  "budget.create": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), name: uniqueSlug("budget"), period: "day", limitAmount: 10 }),
    crossTenant: "takes no object id",
  },
  "budget.update": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), budgetId: await budgetOf(fx.a), limitAmount: 5 }),
    crossTenant: async (fx) => ({ ...tenantA(fx), budgetId: await budgetOf(fx.b), limitAmount: 5 }),
  },
  "budget.delete": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), budgetId: await budgetOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), budgetId: await budgetOf(fx.b) }),
  },
  "budget.settings": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "budget.updateSettings": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), timezone: "Europe/Berlin" }),
    crossTenant: "takes no object id",
  },
  "skill.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "skill.get": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), skillId: await skillOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), skillId: await skillOf(fx.b) }),
  },
  "skill.create": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), name: uniqueSlug("skill"), body: "# New" }),
    crossTenant: "takes no object id",
  },
  "skill.update": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), skillId: await skillOf(fx.a), body: "# Changed" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), skillId: await skillOf(fx.b), body: "# Changed" }),
  },
  "skill.delete": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), skillId: await skillOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), skillId: await skillOf(fx.b) }),
  },
  "workflow.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "workflow.get": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.b) }),
  },
  "workflow.validate": {
    access: { tenant: "member" },
    input: (fx) => ({ ...tenantA(fx), definition: MATRIX_WORKFLOW }),
    crossTenant: "takes no object id",
  },
  "workflow.save": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.a), name: uniqueSlug("flow"), definition: MATRIX_WORKFLOW }),
    crossTenant: async (fx) => ({
      ...tenantA(fx),
      workflowId: await workflowOf(fx.b),
      name: uniqueSlug("flow"),
      definition: MATRIX_WORKFLOW,
    }),
  },
  "workflow.delete": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.b) }),
  },
  "workflow.run": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), workflowId: await workflowOf(fx.b) }),
  },
  "approval.inbox": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "approval.count": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "approval.history": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "approval.get": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), requestId: await heldRequestOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), requestId: await heldRequestOf(fx.b) }),
  },
  // The procedure admits members; deciding takes an eligible approver (the default tier: approvers and up).
  "approval.decide": {
    access: { tenant: "approver" },
    input: async (fx) => ({ ...tenantA(fx), requestId: await heldRequestOf(fx.a), vote: "deny", comment: "matrix" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), requestId: await heldRequestOf(fx.b), vote: "deny" }),
  },
  "approval.decideMany": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), requestIds: [await heldRequestOf(fx.a)], vote: "deny" }),
    crossTenant: "takes no object id",
  },
  // The procedure admits members; withdrawing takes the requester or an admin (the fixture's requester is nobody here).
  "approval.cancel": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), requestId: await heldRequestOf(fx.a), comment: "matrix" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), requestId: await heldRequestOf(fx.b) }),
  },
  "approval.stalled": { access: { tenant: "admin" }, input: tenantA, crossTenant: "takes no object id" },
  "approval.close": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), requestId: await stalledRequestOf(fx.a), result: "ran", note: "matrix" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), requestId: await stalledRequestOf(fx.b), result: "ran", note: "matrix" }),
  },
  "approval.workflow": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "approval.saveWorkflow": {
    access: { tenant: "admin" },
    input: (fx) => ({ ...tenantA(fx), definition: DEFAULT_WORKFLOW }),
    crossTenant: "takes no object id",
  },
  "tool.list": { access: { tenant: "viewer" }, input: tenantA, crossTenant: "takes no object id" },
  "tool.setEnabled": {
    access: { tenant: "admin" },
    // Turning a tool on is harmless to the other rows of the matrix.
    input: (fx) => ({ ...tenantA(fx), tool: "memory.get", isEnabled: true }),
    crossTenant: "takes no object id",
  },
  "schedule.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "schedule.runs": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "schedule.create": {
    access: { tenant: "member" },
    input: (fx) => ({ ...tenantA(fx), label: uniqueSlug("cron"), expression: "0 9 1 1 *", message: "what do you remember?" }),
    crossTenant: "takes no object id",
  },
  "schedule.update": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), scheduleId: await scheduleOf(fx.a), message: "edited" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), scheduleId: await scheduleOf(fx.b), message: "edited" }),
  },
  "schedule.cancel": {
    access: { tenant: "member" },
    input: async (fx) => ({ ...tenantA(fx), scheduleId: await scheduleOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), scheduleId: await scheduleOf(fx.b) }),
  },
  "heartbeat.list": { access: { tenant: "member" }, input: tenantA, crossTenant: "takes no object id" },
  "heartbeat.create": {
    access: { tenant: "admin" },
    input: (fx) => ({
      ...tenantA(fx),
      label: uniqueSlug("beat"),
      message: "what do you remember?",
      intervalMinutes: 1440,
      isEnabled: false,
    }),
    crossTenant: "takes no object id",
  },
  "heartbeat.update": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), heartbeatId: await heartbeatOf(fx.a), message: "edited" }),
    crossTenant: async (fx) => ({ ...tenantA(fx), heartbeatId: await heartbeatOf(fx.b), message: "edited" }),
  },
  "heartbeat.archive": {
    access: { tenant: "admin" },
    input: async (fx) => ({ ...tenantA(fx), heartbeatId: await heartbeatOf(fx.a) }),
    crossTenant: async (fx) => ({ ...tenantA(fx), heartbeatId: await heartbeatOf(fx.b) }),
  },
  "operator.tenant.list": { access: "operator", input: () => undefined, crossTenant: "takes no object id" },
  "operator.tenant.create": {
    access: "operator",
    input: () => ({ slug: uniqueSlug("op"), name: "Created by test", ownerEmail: `${uniqueSlug("owner")}@example.test` }),
    crossTenant: "takes no object id",
  },
  "operator.approval.list": { access: "operator", input: (fx) => tenantA(fx), crossTenant: "takes no object id" },
};

type Principal = { name: string; user: (fx: Fixtures) => TSessionUser | null; role?: TRole; isOperator?: boolean; isOtherTenant?: boolean };

let operator: TSessionUser;
const PRINCIPALS: Principal[] = [
  { name: "anonymous", user: () => null },
  ...ROLES.map((role) => ({ name: role, user: (fx: Fixtures) => fx.a.users[role], role })),
  { name: "another tenant's owner", user: (fx) => fx.b.users.owner, isOtherTenant: true },
  { name: "operator", user: () => operator, isOperator: true },
];

function expectedOutcome(access: Access, principal: Principal): "ok" | TRPCError["code"] {
  if (access === "public") return "ok";
  if (principal.name === "anonymous") return "UNAUTHORIZED";
  if (access === "authed") return "ok";
  if (access === "operator") return principal.isOperator ? "ok" : "FORBIDDEN";
  if (principal.isOtherTenant || !principal.role) return "NOT_FOUND";
  return hasRole(principal.role, access.tenant) ? "ok" : "FORBIDDEN";
}

const procedures = Object.keys(appRouter._def.procedures).sort();
let fx: Fixtures;

beforeAll(async () => {
  const [a, b] = await Promise.all([createTenantFixture({ withEventLog: true }), createTenantFixture({ withEventLog: true })]);
  fx = { a, b };
  operator = await createUser({ isOperator: true });
});

describe("authorization matrix", () => {
  it("has a row for every procedure of the router, and none for a procedure that is gone", () => {
    expect(Object.keys(MATRIX).sort()).toEqual(procedures);
  });

  for (const path of procedures) {
    describe(path, () => {
      for (const principal of PRINCIPALS) {
        it(`${principal.name}`, async () => {
          const row = MATRIX[path];
          if (!row) throw new Error(`no matrix row for ${path}`);
          const input = await row.input(fx, principal.user(fx));
          const outcome = await callPath(principal.user(fx), path, input);
          expect(outcome).toBe(expectedOutcome(row.access, principal));
        });
      }

      it("another tenant's object ids give NOT_FOUND, even to an owner", async () => {
        const row = MATRIX[path];
        if (!row || row.crossTenant === "takes no object id") return;
        const outcome = await callPath(fx.a.users.owner, path, await row.crossTenant(fx));
        expect(outcome).toBe("NOT_FOUND");
      });
    });
  }
});
