// Shared factories for integration tests: every test makes its own tenants and
// users with unique names, so test files run in parallel against one database.
import { randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "@/server/auth/password";
import { ROLES, type TRole } from "@/server/auth/roles";
import type { TSessionUser } from "@/server/auth/users";
import { platform, upsertUser } from "@/server/db/platform";
import { withTenant } from "@/server/db";
import { appendEvents } from "@/server/events/append";
import { pruneExpired } from "@/server/events/retention";
import { createInvitation } from "@/server/invitations/service";
import { TRPCError } from "@trpc/server";
import { createCaller } from "@/server/trpc/root";

export const TEST_PASSWORD = "correct horse battery staple";
let passwordHash: Promise<string> | null = null;

export function uniqueSlug(prefix = "t"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

export async function createUser(options: { email?: string; isOperator?: boolean } = {}): Promise<TSessionUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const email = options.email ?? `${uniqueSlug("user")}@example.test`;
  const name = email.split("@")[0] ?? email;
  const isOperator = options.isOperator ?? false;
  const hash = await passwordHash;
  const id = await platform.run((db) => upsertUser(db, { email, name, passwordHash: hash, isOperator }), "test");
  return { id, email, name, isOperator };
}

export type TTenantFixture = {
  tenant: { id: string; slug: string; name: string };
  users: Record<TRole, TSessionUser>;
  memberships: Record<TRole, string>;
  /** With `withEventLog`: a run with events in it. */
  runId?: string;
};

/**
 * A tenant with one member per role, an audit row and a pending invitation.
 * `withEventLog` also fills every event-log table (events, a retention summary,
 * a run, keys, a checkpoint, settings), for tests that need a row everywhere.
 */
export async function createTenantFixture(options: { withEventLog?: boolean } = {}): Promise<TTenantFixture> {
  const slug = uniqueSlug();
  const tenantId = randomUUID();
  const users = {} as Record<TRole, TSessionUser>;
  for (const role of ROLES) users[role] = await createUser({ email: `${role}.${slug}@example.test` });
  const memberships = {} as Record<TRole, string>;
  await platform.inTenant(tenantId, async (db) => {
    await db.tenant.create({ data: { id: tenantId, slug, name: `Tenant ${slug}` } });
    for (const role of ROLES) {
      const membership = await db.membership.create({ data: { tenantId, userId: users[role].id, role } });
      memberships[role] = membership.id;
    }
    await createInvitation(db, tenantId, users.owner.id, { email: `invitee.${slug}@example.test`, role: "member" });
  });
  const runId = options.withEventLog ? await fillEventLog(tenantId) : undefined;
  return { tenant: { id: tenantId, slug, name: `Tenant ${slug}` }, users, memberships, runId };
}

/** Adds a disposable member (for tests that change or remove one). */
export async function addMember(tenantId: string, role: TRole): Promise<{ user: TSessionUser; membershipId: string }> {
  const user = await createUser();
  const membership = await platform.inTenant(tenantId, (db) => db.membership.create({ data: { tenantId, userId: user.id, role } }));
  return { user, membershipId: membership.id };
}

export async function addInvitation(tenantId: string, actorUserId: string, role: TRole = "member") {
  const email = `${uniqueSlug("invitee")}@example.test`;
  const invitation = await platform.inTenant(tenantId, (db) => createInvitation(db, tenantId, actorUserId, { email, role }));
  return { ...invitation, email };
}

export function callerFor(user: TSessionUser | null) {
  return createCaller({ user });
}

/**
 * Calls a procedure by its dotted path ("member.invite") and answers "ok" or the
 * tRPC error code. Anything that is not a TRPCError is a bug and is rethrown.
 */
export async function callPath(user: TSessionUser | null, path: string, input: unknown): Promise<"ok" | TRPCError["code"]> {
  const caller = callerFor(user) as unknown as Record<string, unknown>;
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    await procedure(input);
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

async function fillEventLog(tenantId: string): Promise<string> {
  return withTenant(tenantId, async (_db, { sql: client }) => {
    await client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 2)", [tenantId]);
    await client.query("INSERT INTO retention_policies (tenant_id, event_class, days) VALUES ($1, 'tool_result', 30)", [tenantId]);
    const run = await client.query<{ id: string }>(
      "INSERT INTO runs (tenant_id, title, principal) VALUES ($1, 'fixture run', 'user:fixture') RETURNING id",
      [tenantId],
    );
    const runId = run.rows[0]?.id ?? null;
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    await appendEvents(client, tenantId, [
      { runId, type: "tool.result", eventClass: "tool_result", payload: { ok: true }, at: old },
      { runId, type: "message.user", eventClass: "message", payload: { text: "hello" } },
      { runId, type: "message.agent", eventClass: "message", payload: { text: "hi" } },
    ]);
    await pruneExpired(client, tenantId);
    if (!runId) throw new Error("the fixture run was not created");
    // The gate's and the chat's tables.
    await client.query(
      "INSERT INTO conversations (tenant_id, user_id, title) SELECT $1, m.user_id, 'fixture chat' FROM memberships m WHERE m.tenant_id = $1 LIMIT 1",
      [tenantId],
    );
    await client.query('INSERT INTO policy_compositions (tenant_id, packs) VALUES ($1, \'[{"name":"baseline","version":1}]\')', [tenantId]);
    await client.query("INSERT INTO tenant_tool_settings (tenant_id, tool, is_enabled) VALUES ($1, 'memory.search', false)", [tenantId]);
    await client.query(
      "INSERT INTO credentials (id, tenant_id, provider, label, config, sealed, last4, created_by) VALUES (gen_random_uuid(), $1, 'webhook', 'fixture', '{}', '{}', 'abcd', 'user:fixture')",
      [tenantId],
    );
    await client.query(
      "INSERT INTO outbox_messages (tenant_id, run_id, tool, provider, target, payload) VALUES ($1, $2, 'message.send', 'webhook', 'fixture', '{}')",
      [tenantId, runId],
    );
    // More tenant tables: add a row of each here.
    await client.query(
      "INSERT INTO tool_executions (tenant_id, run_id, tool, decision, deadline_at) VALUES ($1, $2, 'web.fetch', '{}', now())",
      [tenantId, runId],
    );
    await client.query("INSERT INTO webhook_refusals (tenant_id, source, window_start) VALUES ($1, 'whatsapp', '2000-01-01')", [tenantId]);
    await client.query(
      "INSERT INTO workspace_snapshots (id, tenant_id, run_id, command, kinds, bytes, created_by) VALUES (gen_random_uuid(), $1, $2, 'rm -rf data', '{recursive_delete}', 0, 'user:fixture')",
      [tenantId, runId],
    );
    await client.query(
      "INSERT INTO approval_notification_settings (tenant_id, email_to, updated_by) VALUES ($1, '{ops@example.test}', 'user:fixture')",
      [tenantId],
    );
    await client.query(
      "INSERT INTO approval_notifications (tenant_id, kind, channel, credential_id, target, payload, status, attempts, sent_at) VALUES ($1, 'requested', 'email', gen_random_uuid(), 'ops@example.test', '{}', 'sent', 1, now())",
      [tenantId],
    );
    await client.query(
      "INSERT INTO agent_api_keys (tenant_id, agent_id, label, key_prefix, key_hash, created_by) VALUES ($1, 'fixture-bot', 'fixture', 'afk_fixt', repeat('0', 64), 'user:fixture')",
      [tenantId],
    );
    // Budgets: the tenant's time zone, a budget (with its version), a window's counter and a reservation.
    await client.query("INSERT INTO tenant_settings (tenant_id, timezone, updated_by) VALUES ($1, 'Europe/Berlin', 'user:fixture')", [
      tenantId,
    ]);
    const budget = await client.query<{ id: string }>(
      "INSERT INTO budgets (tenant_id, name, metric, period, limit_amount, tool, updated_by, created_by) VALUES ($1, 'fixture', 'tool_calls', 'day', 1000000, 'fixture.none', 'user:fixture', 'user:fixture') RETURNING id",
      [tenantId],
    );
    await client.query(
      "INSERT INTO budget_versions (tenant_id, budget_id, version, name, metric, period, limit_amount, tool, actor) VALUES ($1, $2, 1, 'fixture', 'tool_calls', 'day', 1000000, 'fixture.none', 'user:fixture')",
      [tenantId, budget.rows[0]?.id],
    );
    await client.query("INSERT INTO budget_counters (tenant_id, budget_id, window_start, used) VALUES ($1, $2, '2026-01-01', 1)", [
      tenantId,
      budget.rows[0]?.id,
    ]);
    await client.query(
      "INSERT INTO budget_reservations (tenant_id, reservation, budget_id, window_start, amount, expires_at) VALUES ($1, gen_random_uuid(), $2, '2026-01-01', 0, '2026-01-01')",
      [tenantId, budget.rows[0]?.id],
    );
    const approvalWorkflow = await client.query<{ id: string }>(
      'INSERT INTO approval_workflows (tenant_id, definition, updated_by) VALUES ($1, \'{"routes":[],"defaultRoute":{"tiers":[]}}\', \'user:fixture\') RETURNING id',
      [tenantId],
    );
    await client.query(
      'INSERT INTO approval_workflow_versions (tenant_id, workflow_id, version, definition, actor) VALUES ($1, $2, 1, \'{"routes":[],"defaultRoute":{"tiers":[]}}\', \'user:fixture\')',
      [tenantId, approvalWorkflow.rows[0]?.id],
    );
    // Schedules: a cron schedule and a heartbeat task (each with its version), and a fire. Far in the future: no tick fires them.
    const schedule = await client.query<{ id: string }>(
      "INSERT INTO cron_schedules (tenant_id, label, expression, timezone, message, created_by, updated_by, next_run_at) VALUES ($1, 'fixture', '0 9 1 1 *', 'UTC', 'what do you remember?', 'user:fixture', 'user:fixture', '2999-01-01') RETURNING id",
      [tenantId],
    );
    await client.query(
      "INSERT INTO cron_schedule_versions (tenant_id, schedule_id, version, label, expression, timezone, message, actor) VALUES ($1, $2, 1, 'fixture', '0 9 1 1 *', 'UTC', 'what do you remember?', 'user:fixture')",
      [tenantId, schedule.rows[0]?.id],
    );
    const heartbeat = await client.query<{ id: string }>(
      "INSERT INTO heartbeat_tasks (tenant_id, label, interval_minutes, message, created_by, updated_by, next_run_at) VALUES ($1, 'fixture', 60, 'what do you remember?', 'user:fixture', 'user:fixture', '2999-01-01') RETURNING id",
      [tenantId],
    );
    await client.query(
      "INSERT INTO heartbeat_task_versions (tenant_id, task_id, version, label, interval_minutes, timezone, message, is_enabled, actor) VALUES ($1, $2, 1, 'fixture', 60, 'UTC', 'what do you remember?', true, 'user:fixture')",
      [tenantId, heartbeat.rows[0]?.id],
    );
    await client.query(
      "INSERT INTO schedule_runs (tenant_id, kind, schedule_id, label, fire_at, status, run_id) VALUES ($1, 'cron', $2, 'fixture', now() - interval '1 hour', 'completed', $3)",
      [tenantId, schedule.rows[0]?.id, runId],
    );
    await client.query("INSERT INTO tenant_recovery_settings (tenant_id, purge_after_days, updated_by) VALUES ($1, 30, 'user:fixture')", [
      tenantId,
    ]);
    await client.query(
      "INSERT INTO inbound_messages (tenant_id, provider, external_id, sender, body, run_id) VALUES ($1, 'whatsapp', 'wamid.fixture', '15550001111', 'hello', $2)",
      [tenantId, runId],
    );
    const skill = await client.query<{ id: string }>(
      "INSERT INTO skills (tenant_id, name, description, body, updated_by) VALUES ($1, 'fixture-skill', 'A fixture', '# Fixture', 'user:fixture') RETURNING id",
      [tenantId],
    );
    await client.query(
      "INSERT INTO skill_versions (tenant_id, skill_id, version, name, description, body, actor) VALUES ($1, $2, 1, 'fixture-skill', 'A fixture', '# Fixture', 'user:fixture')",
      [tenantId, skill.rows[0]?.id],
    );
    const workflow = await client.query<{ id: string }>(
      'INSERT INTO workflows (tenant_id, name, definition, updated_by) VALUES ($1, \'fixture-workflow\', \'{"start":"done","nodes":[{"id":"done","type":"transform","set":{"ok":"yes"}}]}\', \'user:fixture\') RETURNING id',
      [tenantId],
    );
    await client.query(
      'INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, description, definition, actor) VALUES ($1, $2, 1, \'fixture-workflow\', \'\', \'{"start":"done","nodes":[{"id":"done","type":"transform","set":{"ok":"yes"}}]}\', \'user:fixture\')',
      [tenantId, workflow.rows[0]?.id],
    );
    const pack = await client.query<{ id: string }>(
      "INSERT INTO policy_packs (tenant_id, name, version, text, created_by, updated_by) VALUES ($1, 'fixture-pack', 1, 'permit (principal, action, resource);', 'user:fixture', 'user:fixture') RETURNING id",
      [tenantId],
    );
    await client.query(
      "INSERT INTO policy_pack_versions (tenant_id, pack_id, version, text, actor) VALUES ($1, $2, 1, 'permit (principal, action, resource);', 'user:fixture')",
      [tenantId, pack.rows[0]?.id],
    );
    await client.query("INSERT INTO tenant_model_settings (tenant_id, provider, updated_by) VALUES ($1, 'scripted', 'user:fixture')", [
      tenantId,
    ]);
    await client.query(
      "INSERT INTO approval_requests (tenant_id, run_id, tool, args, digest, decision, requested_by) VALUES ($1, $2, 'memory.delete', '{}', 'fixture', '{}', 'user:fixture')",
      [tenantId, runId],
    );
    await client.query(
      "INSERT INTO approval_votes (tenant_id, request_id, tier, approver, vote) SELECT $1, id, 0, 'user:fixture', 'deny' FROM approval_requests WHERE tenant_id = $1 LIMIT 1",
      [tenantId],
    );
    const entry = await client.query<{ id: string }>(
      "INSERT INTO memory_entries (tenant_id, key, value, updated_by) VALUES ($1, 'launch', 'Friday', 'user:fixture') RETURNING id",
      [tenantId],
    );
    await client.query(
      "INSERT INTO memory_versions (tenant_id, entry_id, key, value, version, actor) VALUES ($1, $2, 'launch', 'Friday', 1, 'user:fixture')",
      [tenantId, entry.rows[0]?.id],
    );
    return runId;
  });
}

/** A run of the tenant for gate calls in tests. */
export async function createRun(fx: TTenantFixture, title = "test"): Promise<string> {
  return withTenant(
    fx.tenant.id,
    async (db) => (await db.run.create({ data: { tenantId: fx.tenant.id, title, principal: "user:test" } })).id,
  );
}

/** What a connector call left behind: the tenant's sandbox outbox and the run's recorded tool results. */
export async function connectorRecord(fx: TTenantFixture, runId: string) {
  return withTenant(fx.tenant.id, async (db) => ({
    outbox: await db.outboxMessage.findMany({ where: { tenantId: fx.tenant.id } }),
    results: (await db.event.findMany({ where: { tenantId: fx.tenant.id, runId, type: "tool.result" } })).map(
      (event) => JSON.parse(event.payload) as { ok: boolean; error?: string; result?: unknown },
    ),
  }));
}
