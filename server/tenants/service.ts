import { withoutTenant, type TenantDb } from "@/server/db";

/** Runs under withUser: RLS shows the user's own memberships in every tenant, nothing else. */
export async function listMyTenants(db: TenantDb, userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId, tenant: { status: "active" } },
    include: { tenant: { select: { id: true, slug: true, name: true } } },
    orderBy: { tenant: { name: "asc" } },
  });
  return memberships.map((membership) => ({ ...membership.tenant, role: membership.role }));
}

/**
 * A tenant by the slug in an external caller's URL (agent API, webhooks), or null for a
 * slug that cannot be one or names none. A platform read: the caller is not a member.
 */
export async function tenantBySlug(slug: string): Promise<{ id: string; slug: string; status: "active" | "suspended" } | null> {
  if (!/^[a-z0-9-]{1,64}$/.test(slug)) return null;
  return withoutTenant((db) => db.tenant.findUnique({ where: { slug }, select: { id: true, slug: true, status: true } }));
}
