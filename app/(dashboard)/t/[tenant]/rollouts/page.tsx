import { UpcomingArea } from "@/components/layout/upcoming-area";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function Page({ params }: { params: Promise<{ tenant: string }> }) {
  await requireTenantPage((await params).tenant, "rollouts");
  return <UpcomingArea title="Rollouts" description="Staged rollouts of pack versions: canary, 10%, full." arrivesWith="staged rollouts" />;
}
