import { OutboxList } from "@/components/outbox/outbox-list";
import { PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function OutboxPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "outbox", "member");
  return (
    <>
      <PageHeader
        title="Outbox"
        description="Messages, rows and transfers that tools would have sent, kept here because the service is not connected."
      />
      <p role="note" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
        <strong>Sandbox: not sent to the real service.</strong> Nothing on this page left Agent Fabric. An admin can connect the service
        under Connections to send for real.
      </p>
      <OutboxList tenantSlug={tenant.slug} />
    </>
  );
}
