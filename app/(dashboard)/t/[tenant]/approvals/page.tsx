import { ApprovalsView } from "@/components/approvals/approvals-view";
import { PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function ApprovalsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "approvals", "member");
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Held tool calls waiting for your decision, soonest deadline first. A call runs only once its chain of approvers says yes."
      />
      <ApprovalsView tenantSlug={tenant.slug} canEditWorkflow={hasRole(tenant.role, "admin")} />
    </>
  );
}
