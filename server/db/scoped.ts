// The scoped runners: every query of the app runs in a transaction whose
// `app.*` settings tell Row Level Security whose rows it may see.
//
//  withTenant(tenantId, work)  tenant tables of that tenant only (app.tenant_id): ./tenant.ts
//  withUser(userId, work)      the user's own memberships across tenants (app.user_id)
//  withoutTenant(work)         tenants only; tenant tables and users read empty
//  withPlatform(actor, work)   the platform runner (app.platform = 'on'): writes
//                              tenants, reads every user; only through server/db/platform.ts
//
// The settings are transaction-local (set_config(..., true)), so they can never
// leak to the next user of a pooled connection. Do not hold one of these open
// across an LLM or outbound HTTP call.
import type { Prisma } from "./generated/client";
import { prisma } from "./client";
import { isUuid } from "@/server/validation";

/** A transaction with no tenant context. */
export type PlatformDb = Prisma.TransactionClient;

const TRANSACTION = { maxWait: 10_000, timeout: 30_000 } as const;

function assertUuid(value: string, what: string): void {
  if (!isUuid(value)) throw new Error(`${what} must be a UUID`);
}

export async function withUser<T>(userId: string, work: (db: PlatformDb) => Promise<T>): Promise<T> {
  assertUuid(userId, "userId");
  return prisma().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.user_id', ${userId}, true)`;
    return work(tx);
  }, TRANSACTION);
}

export async function withoutTenant<T>(work: (db: PlatformDb) => Promise<T>): Promise<T> {
  return prisma().$transaction(work, TRANSACTION);
}

// "user:<uuid>", "seed", "job:retention"…: a label for platform_audit, not an authority.
const ACTOR = /^[a-z][a-z0-9_.:-]{0,120}$/i;

/**
 * The platform runner: operator work. Sets app.platform (which RLS on tenants
 * and users checks) and app.actor (which platform_audit records), both
 * transaction-local. With a tenant id it also acts inside that tenant.
 * Import it only through server/db/platform.ts (lint).
 */
export async function withPlatform<T>(actor: string, work: (db: PlatformDb) => Promise<T>, tenantId?: string): Promise<T> {
  if (!ACTOR.test(actor)) throw new Error("actor must be a short label such as user:<id>");
  if (tenantId !== undefined) assertUuid(tenantId, "tenantId");
  return prisma().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.platform', 'on', true), set_config('app.actor', ${actor}, true),
      set_config('app.tenant_id', ${tenantId ?? ""}, true)`;
    return work(tx);
  }, TRANSACTION);
}
