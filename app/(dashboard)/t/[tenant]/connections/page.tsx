import { ConnectionsPanel } from "@/components/connections/connections-panel";
import { PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";

// Admins only: credentials are write-only secrets; others get the same 404 as for a missing page.
export default async function ConnectionsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "connections", "admin");
  return (
    <>
      <PageHeader
        title="Connections"
        description={`The services ${tenant.name}'s tools reach with its own credentials: WhatsApp, Google Sheets, webhooks, Slack, email, payments and web search.`}
      />
      <ConnectionsPanel tenantSlug={tenant.slug} />
    </>
  );
}
