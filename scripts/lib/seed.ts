// The demo: an operator and two tenants (acme, globex), each with an owner, an
// admin, an approver and a member. Idempotent: running it again restores the
// demo users' roles and passwords and changes nothing else.
import { hashPassword } from "@/server/auth/password";
import type { TRole } from "@/server/auth/roles";
import { withTenant } from "@/server/db";
import { platform, upsertUser } from "@/server/db/platform";
import { appendEvents } from "@/server/events/append";
import { DEFAULT_PACKS } from "@/server/gate/composition";
import { seedDemoSkills } from "@/server/skills/demo";
import { seedDemoWorkflows } from "@/server/workflows/demo";

export const DEMO_PASSWORD = "agent-fabric-demo";
export const DEMO_OPERATOR = "operator@agent-fabric.test";
export const DEMO_TENANTS = [
  { slug: "acme", name: "Acme Corp", domain: "acme.test" },
  { slug: "globex", name: "Globex Inc", domain: "globex.test" },
] as const;
const DEMO_ROLES: TRole[] = ["owner", "admin", "approver", "member"];

export type DemoLogin = { email: string; tenant: string | null; role: TRole | "operator" };

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export async function seedDemo(): Promise<DemoLogin[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const logins: DemoLogin[] = [{ email: DEMO_OPERATOR, tenant: null, role: "operator" }];
  await platform.run((db) => upsertUser(db, { email: DEMO_OPERATOR, name: "Olivia Operator", passwordHash, isOperator: true }), "seed");
  for (const demo of DEMO_TENANTS) {
    const tenant = await platform.run(
      (db) => db.tenant.upsert({ where: { slug: demo.slug }, create: { slug: demo.slug, name: demo.name }, update: {} }),
      "seed",
    );
    await platform.inTenant(
      tenant.id,
      async (db) => {
        for (const role of DEMO_ROLES) {
          const email = `${role}@${demo.domain}`;
          const userId = await upsertUser(db, { email, name: `${titleCase(role)} of ${demo.name}`, passwordHash, isOperator: false });
          await db.membership.upsert({
            where: { tenantId_userId: { tenantId: tenant.id, userId } },
            create: { tenantId: tenant.id, userId, role },
            update: { role },
          });
          logins.push({ email, tenant: demo.slug, role });
        }
      },
      "seed",
    );
    await seedDemoRun(tenant.id, demo);
    await seedComposition(tenant.id);
    await platform.inTenant(tenant.id, async (db) => {
      await seedDemoSkills(db, tenant.id);
      await seedDemoWorkflows(db, tenant.id);
    });
  }
  return logins;
}

/**
 * The demo tenants run every catalog pack, and hold memory.delete for approval:
 * deleting its own state is the one destructive thing a saas agent can do.
 */
async function seedComposition(tenantId: string): Promise<void> {
  await platform.inTenant(tenantId, (db) =>
    db.policyComposition.upsert({
      where: { tenantId },
      create: { tenantId, packs: DEFAULT_PACKS, tenantPolicies: HOLD_MEMORY_DELETE },
      update: {},
    }),
  );
}

export const HOLD_MEMORY_DELETE =
  '@id("hold-memory-delete")\n@effect("require_approval")\n@tags("destructive")\n@reason("deleting the agent\'s memory needs approval")\nforbid (principal, action == Action::"memory.delete", resource);';

export const DEMO_RUN_TITLE = "Pay invoice INV-1042";

/** One recorded run per tenant, so the run viewer has something real to show. */
async function seedDemoRun(tenantId: string, demo: (typeof DEMO_TENANTS)[number]): Promise<void> {
  await withTenant(tenantId, async (_db, { sql: client }) => {
    const existing = await client.query("SELECT 1 FROM runs WHERE tenant_id = $1 AND title = $2", [tenantId, DEMO_RUN_TITLE]);
    if ((existing.rowCount ?? 0) > 0) return;
    const principal = `user:member@${demo.domain}`;
    const started = new Date(Date.now() - 60 * 60 * 1000);
    const at = (minutes: number) => new Date(started.getTime() + minutes * 60_000);
    const run = await client.query<{ id: string }>(
      "INSERT INTO runs (tenant_id, title, status, principal, tools, started_at, ended_at) VALUES ($1, $2, 'completed', $3, $4, $5, $6) RETURNING id",
      [tenantId, DEMO_RUN_TITLE, principal, ["payments.transfer"], started, at(9)],
    );
    const runId = run.rows[0]?.id;
    const call = {
      tool: "payments.transfer",
      args: { amount: 4200, currency: "EUR", counterparty: "Northwind Supplies", reference: "INV-1042" },
    };
    await appendEvents(client, tenantId, [
      { runId, type: "run.started", eventClass: "run", payload: { principal, title: DEMO_RUN_TITLE }, at: at(0) },
      {
        runId,
        type: "message.user",
        eventClass: "message",
        payload: { text: "Pay invoice INV-1042 from Northwind Supplies, 4,200 EUR." },
        at: at(0),
      },
      { runId, type: "plan.tool_call", eventClass: "tool_call", payload: { ...call, planner: "scripted (demo)" }, at: at(1) },
      {
        runId,
        type: "policy.decision",
        eventClass: "policy_decision",
        payload: {
          ...call,
          decision: "require_approval",
          pack: "treasury",
          version: 1,
          policy: "treasury/large-transfer",
          reason: "transfers above 1,000 EUR need approval",
        },
        at: at(1),
      },
      {
        runId,
        type: "approval.requested",
        eventClass: "approval",
        payload: { route: "finance", tier: 1, approvers: ["role:approver"] },
        at: at(1),
      },
      {
        runId,
        type: "approval.decided",
        eventClass: "approval",
        payload: { outcome: "approved", by: `approver@${demo.domain}`, comment: "Matches the PO." },
        at: at(7),
      },
      { runId, type: "tool.call", eventClass: "tool_call", payload: { ...call, delivery: "sandbox outbox" }, at: at(8) },
      {
        runId,
        type: "tool.result",
        eventClass: "tool_result",
        payload: { ok: true, transferId: "demo-tr-0001", status: "queued" },
        at: at(8),
      },
      {
        runId,
        type: "message.agent",
        eventClass: "message",
        payload: { text: "Done: 4,200 EUR to Northwind Supplies is queued (transfer demo-tr-0001)." },
        at: at(9),
      },
      { runId, type: "run.completed", eventClass: "run", payload: { status: "completed" }, at: at(9) },
    ]);
  });
}

export function formatLogins(logins: DemoLogin[]): string {
  const rows = logins.map((login) => `  ${login.email.padEnd(30)} ${(login.tenant ?? "(all tenants)").padEnd(14)} ${login.role}`);
  return [`Demo logins (password for all: ${DEMO_PASSWORD}):`, ...rows].join("\n");
}
