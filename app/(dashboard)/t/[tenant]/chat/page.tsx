import { UpcomingArea } from "@/components/layout/upcoming-area";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function Page({ params }: { params: Promise<{ tenant: string }> }) {
  await requireTenantPage((await params).tenant, "chat");
  return (
    <UpcomingArea
      title="Chat"
      description="Talk to your agent; every tool call it plans passes the Tool Policy Gate."
      arrivesWith="the Tool Policy Gate and agent loop"
    />
  );
}
