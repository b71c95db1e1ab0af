// Access checks for pages (page.tsx, not layouts: a layout does not re-run on
// every navigation). Redirects to sign-in, or answers 404 for a tenant the user
// does not belong to, exactly as for one that does not exist.
import { notFound, redirect } from "next/navigation";
import { hasRole, type TRole } from "@/server/auth/roles";
import { currentUser } from "@/server/auth/session";
import { orNull, serverCaller } from "@/server/trpc/server";

export async function requireUser(nextPath: string) {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(nextPath)}`);
  return user;
}

export async function requireTenantPage(tenantSlug: string, path: string, least: TRole = "viewer") {
  const user = await requireUser(`/t/${tenantSlug}/${path}`);
  const caller = await serverCaller();
  const tenant = await orNull(caller.tenant.get({ tenantSlug }));
  if (!tenant || !hasRole(tenant.role, least)) notFound();
  return { user, tenant, caller };
}
