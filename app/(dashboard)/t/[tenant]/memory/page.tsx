import { MemoryList } from "@/components/recovery/memory-list";
import { Card, PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function MemoryPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "memory");
  return (
    <>
      <PageHeader title="Memory" description="What this tenant's agent remembers, with every version." />
      {hasRole(tenant.role, "member") ? (
        <MemoryList tenantSlug={tenant.slug} />
      ) : (
        <Card>
          <p className="text-sm text-slate-600">The agent&apos;s memory is open to members and above; you are a viewer.</p>
        </Card>
      )}
    </>
  );
}
