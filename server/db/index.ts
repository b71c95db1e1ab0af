export { withUser, withoutTenant, type PlatformDb } from "./scoped";
export { sqlLiteral, withTenant, withTenantOneTrip, type SqlClient, type TenantDb, type TTenantOptions, type TTenantTx } from "./tenant";
export { containsText, escapeLike } from "./like";
// Prisma's namespace (types, JSON nulls, error classes) for code outside server/db, which
// may not import the generated client itself.
export { Prisma } from "./generated/client";
export { pool as sqlPool } from "./pool";
import { disconnect as disconnectPrisma } from "./client";
import { closePool } from "./pool";
import { disconnectTenantPrisma } from "./tenant";

export async function disconnect(): Promise<void> {
  await Promise.all([disconnectPrisma(), disconnectTenantPrisma()]);
  await closePool();
}
