import { UpcomingArea } from "@/components/layout/upcoming-area";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function Page({ params }: { params: Promise<{ tenant: string }> }) {
  await requireTenantPage((await params).tenant, "approvals");
  return (
    <UpcomingArea title="Approvals" description="Held tool calls waiting for a decision." arrivesWith="approval workflows and the inbox" />
  );
}
