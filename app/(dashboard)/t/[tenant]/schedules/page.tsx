import { FireHistory } from "@/components/schedules/fire-history";
import { HeartbeatsPanel } from "@/components/schedules/heartbeats-panel";
import { SchedulesPanel } from "@/components/schedules/schedules-panel";
import { PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function SchedulesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "schedules", "member");
  return (
    <>
      <PageHeader
        title="Schedules"
        description="Recurring agent runs. Each fire starts a run as the schedule's own agent, and every tool call it makes passes the gate."
      />
      <div className="space-y-6">
        <SchedulesPanel tenantSlug={tenant.slug} />
        <HeartbeatsPanel tenantSlug={tenant.slug} canEdit={hasRole(tenant.role, "admin")} />
        <FireHistory tenantSlug={tenant.slug} />
      </div>
    </>
  );
}
