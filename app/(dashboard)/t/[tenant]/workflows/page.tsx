import { WorkflowsPanel } from "@/components/workflows/workflows-panel";
import { Card, PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function WorkflowsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "workflows");
  return (
    <>
      <PageHeader
        title="Workflows"
        description="Multi-step workflows from an allowlist of steps; every step with a side effect passes the Tool Policy Gate."
      />
      {hasRole(tenant.role, "member") ? (
        <WorkflowsPanel tenantSlug={tenant.slug} canEdit={hasRole(tenant.role, "admin")} />
      ) : (
        <Card>
          <p className="text-sm text-slate-600">Workflows are open to members and above; you are a viewer.</p>
        </Card>
      )}
    </>
  );
}
