export { withUser, withoutTenant, type PlatformDb } from "./scoped";
export {
  withTenant,
  withTenantOneTrip,
  type SqlClient,
  type TenantDb,
  type TSql,
  type TSqlValue,
  type TTenantOptions,
  type TTenantTx,
} from "./tenant";
export { runPipeline } from "./pipeline";
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
