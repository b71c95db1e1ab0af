import Link from "next/link";
import { notFound } from "next/navigation";
import { ReplayPanel } from "@/components/runs/replay-panel";
import { RunTimeline } from "@/components/runs/run-timeline";
import { VerificationBadge } from "@/components/trace/verification-badge";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";
import { orNull } from "@/server/trpc/server";
import { isUuid } from "@/server/validation";

export default async function RunPage({ params }: { params: Promise<{ tenant: string; runId: string }> }) {
  const { tenant: tenantSlug, runId } = await params;
  const { tenant, caller } = await requireTenantPage(tenantSlug, `runs/${runId}`);
  if (!isUuid(runId) || !(await orNull(caller.run.get({ tenantSlug, runId })))) notFound();
  return (
    <>
      <div className="mb-4 flex items-center justify-between">
        <Link href={`/t/${tenant.slug}/runs`} className="text-sm text-indigo-700 hover:underline">
          ← All runs
        </Link>
        <VerificationBadge tenantSlug={tenant.slug} />
      </div>
      <RunTimeline tenantSlug={tenant.slug} runId={runId} />
      <div className="mt-6">
        <ReplayPanel tenantSlug={tenant.slug} runId={runId} canReplay={hasRole(tenant.role, "member")} />
      </div>
    </>
  );
}
