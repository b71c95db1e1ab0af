// The platform client: operator work that spans tenants (create a tenant and its
// first owner, list every tenant). It may act inside a tenant without being a
// member of it, so lint allows importing it only from server/operator/ and the
// seed script. Keep this surface small and obvious in review.
import { withTenant, withoutTenant, type PlatformDb, type TenantDb } from "./scoped";

export const platform = {
  /** Platform tables (tenants, users); tenant tables read empty here. */
  run: <T>(work: (db: PlatformDb) => Promise<T>): Promise<T> => withoutTenant(work),
  /** Act inside one tenant as the platform, e.g. to add a new tenant's first owner. */
  inTenant: <T>(tenantId: string, work: (db: TenantDb) => Promise<T>): Promise<T> => withTenant(tenantId, work),
};
