import { RunsList } from "@/components/runs/runs-list";
import { VerificationBadge } from "@/components/trace/verification-badge";
import { PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function RunsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "runs");
  return (
    <>
      <PageHeader title="Runs" description="What agents did, step by step, from the tamper-evident event log." />
      <div className="mb-4">
        <VerificationBadge tenantSlug={tenant.slug} />
      </div>
      <RunsList tenantSlug={tenant.slug} />
    </>
  );
}
