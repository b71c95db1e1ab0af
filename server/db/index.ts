export { withTenant, withUser, withoutTenant, type TenantDb, type PlatformDb } from "./scoped";
export { containsText, escapeLike } from "./like";
// Prisma's namespace (types, JSON nulls, error classes) for code outside server/db, which
// may not import the generated client itself.
export { Prisma } from "./generated/client";
export { sqlLiteral, withTenantSql, withTenantSqlLead, withTenantSqlOneTrip, type SqlClient } from "./sql";
import { disconnect as disconnectPrisma } from "./client";
import { closeSqlPool } from "./sql";

export async function disconnect(): Promise<void> {
  await Promise.all([disconnectPrisma(), closeSqlPool()]);
}
