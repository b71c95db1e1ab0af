import { UpcomingArea } from "@/components/layout/upcoming-area";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function Page({ params }: { params: Promise<{ tenant: string }> }) {
  await requireTenantPage((await params).tenant, "budgets");
  return (
    <UpcomingArea title="Budgets" description="Quotas and spend limits per tenant and window." arrivesWith="budgets and rate limits" />
  );
}
