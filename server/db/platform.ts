// The platform client: operator work that spans tenants (create a tenant and its
// first owner, list every tenant, sweep every tenant). It runs with
// app.platform = 'on', which the database requires to write tenants and to see
// every user, and records who acted (app.actor) in platform_audit. Lint allows
// importing it only from server/operator/, server/jobs/, scripts and tests.
// Keep this surface small and obvious in review.
import type { Prisma } from "./generated/client";
import { withPlatform, type PlatformDb } from "./scoped";
import type { TenantDb } from "./tenant";

/** Who acts: "user:<id>" for an operator, or a fixed label ("seed", "job:<name>", "test"). */
export type TPlatformActor = string;

export const platform = {
  /** Platform tables (tenants, users, platform_audit); tenant tables read empty here. */
  run: <T>(work: (db: PlatformDb) => Promise<T>, actor: TPlatformActor = "platform"): Promise<T> => withPlatform(actor, work),
  /** Act inside one tenant as the platform, e.g. to add a new tenant's first owner. */
  inTenant: <T>(tenantId: string, work: (db: TenantDb) => Promise<T>, actor: TPlatformActor = "platform"): Promise<T> =>
    withPlatform(actor, work, tenantId),
};

/** An operator action, beside the row changes the database records by itself. */
export async function recordPlatformAudit(
  db: PlatformDb,
  entry: { action: string; targetType: string; targetId?: string | null; data?: Prisma.InputJsonValue },
): Promise<void> {
  await db.platformAudit.createMany({
    data: [{ action: entry.action, targetType: entry.targetType, targetId: entry.targetId ?? null, data: entry.data ?? {} }],
  });
}

/** Create a user, or restore one's password and operator flag (seed, tests, tooling). */
export async function upsertUser(
  db: PlatformDb,
  user: { email: string; name: string; passwordHash: string | null; isOperator: boolean },
): Promise<string> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT platform_upsert_user(${user.email}, ${user.name}, ${user.passwordHash}, ${user.isOperator}) AS id`;
  const id = rows[0]?.id;
  if (!id) throw new Error("platform_upsert_user returned no id");
  return id;
}

export async function setOperator(db: PlatformDb, userId: string, isOperator: boolean): Promise<void> {
  await db.$executeRaw`SELECT platform_set_operator(${userId}::uuid, ${isOperator})`;
}
