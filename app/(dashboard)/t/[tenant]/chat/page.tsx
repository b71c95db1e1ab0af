import { Suspense } from "react";
import { ChatView } from "@/components/chat/chat-view";
import { PageHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function ChatPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "chat");
  return (
    <>
      <PageHeader
        title="Chat"
        description="Talk to your agent. Every tool call it plans passes the Tool Policy Gate; each card shows the decision and why."
      />
      {tenant.role === "viewer" ? (
        <EmptyState title="Viewers can watch runs but not chat.">Ask an admin for the member role.</EmptyState>
      ) : (
        <Suspense>
          <ChatView tenantSlug={tenant.slug} />
        </Suspense>
      )}
    </>
  );
}
