import { UpcomingArea } from "@/components/layout/upcoming-area";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function Page({ params }: { params: Promise<{ tenant: string }> }) {
  await requireTenantPage((await params).tenant, "runs");
  return (
    <UpcomingArea
      title="Runs"
      description="Every agent run, step by step, in a tamper-evident log."
      arrivesWith="the event log and run viewer"
    />
  );
}
