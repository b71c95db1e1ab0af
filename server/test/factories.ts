// Shared factories for integration tests: every test makes its own tenants and
// users with unique names, so test files run in parallel against one database.
import { randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "@/server/auth/password";
import { ROLES, type TRole } from "@/server/auth/roles";
import type { TSessionUser } from "@/server/auth/users";
import { platform } from "@/server/db/platform";
import { withTenantSql } from "@/server/db";
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
  const user = await platform.run(async (db) =>
    db.user.create({
      data: { email, name: email.split("@")[0] ?? email, passwordHash: await passwordHash, isOperator: options.isOperator ?? false },
    }),
  );
  return { id: user.id, email: user.email, name: user.name, isOperator: user.isOperator };
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
  return withTenantSql(tenantId, async (client) => {
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
    await client.query("INSERT INTO tenant_model_settings (tenant_id, provider, updated_by) VALUES ($1, 'scripted', 'user:fixture')", [
      tenantId,
    ]);
    await client.query(
      "INSERT INTO approval_requests (tenant_id, run_id, tool, args, digest, decision, requested_by) VALUES ($1, $2, 'memory.delete', '{}', 'fixture', '{}', 'user:fixture')",
      [tenantId, runId],
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
