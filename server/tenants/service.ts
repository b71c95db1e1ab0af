import type { TenantDb } from "@/server/db";

/** Runs under withUser: RLS shows the user's own memberships in every tenant, nothing else. */
export async function listMyTenants(db: TenantDb, userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId, tenant: { status: "active" } },
    include: { tenant: { select: { id: true, slug: true, name: true } } },
    orderBy: { tenant: { name: "asc" } },
  });
  return memberships.map((membership) => ({ ...membership.tenant, role: membership.role }));
}
