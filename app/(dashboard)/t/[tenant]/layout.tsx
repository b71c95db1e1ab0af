import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/layout/app-header";
import { SideNav } from "@/components/layout/side-nav";
import { currentUser } from "@/server/auth/session";
import { env } from "@/server/env";
import { orNull, serverCaller } from "@/server/trpc/server";

export const dynamic = "force-dynamic";

// The shell only. Each page.tsx checks access itself (requireTenantPage).
export default async function TenantLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: tenantSlug } = await params;
  const user = await currentUser();
  if (!user) return <>{children}</>;
  const caller = await serverCaller();
  const [tenant, tenants] = await Promise.all([orNull(caller.tenant.get({ tenantSlug })), caller.tenant.list()]);
  if (!tenant) notFound();
  return (
    <div className="min-h-screen">
      <AppHeader user={user} mode={env.DEPLOYMENT_MODE} tenants={tenants} currentTenant={tenant.slug} />
      <div className="mx-auto flex max-w-7xl gap-8 px-6 py-8">
        <aside className="w-48 shrink-0">
          <p className="mb-2 px-3 text-xs font-semibold uppercase tracking-wide text-slate-400">{tenant.name}</p>
          <SideNav tenantSlug={tenant.slug} role={tenant.role} />
        </aside>
        <main className="min-w-0 flex-1">{children}</main>
      </div>
    </div>
  );
}
