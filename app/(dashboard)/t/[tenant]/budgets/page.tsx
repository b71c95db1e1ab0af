import { BudgetsPanel } from "@/components/budgets/budgets-panel";
import { PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function BudgetsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "budgets");
  return (
    <>
      <PageHeader
        title="Budgets"
        description="Limits on what this tenant's agents may use per minute, hour, day or month. The gate refuses a call beyond a budget and says which one."
      />
      <BudgetsPanel tenantSlug={tenant.slug} canEdit={hasRole(tenant.role, "admin")} />
    </>
  );
}
