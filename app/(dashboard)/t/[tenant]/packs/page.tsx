import { UpcomingArea } from "@/components/layout/upcoming-area";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function Page({ params }: { params: Promise<{ tenant: string }> }) {
  await requireTenantPage((await params).tenant, "packs");
  return (
    <UpcomingArea
      title="Policy packs"
      description="Versioned rule bundles that decide what agents may do."
      arrivesWith="policy-pack management"
    />
  );
}
