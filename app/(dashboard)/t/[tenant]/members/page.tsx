import { PageHeader } from "@/components/ui/card";
import { MembersPanel } from "@/components/members/members-panel";
import { requireTenantPage } from "@/server/auth/page-access";

export default async function MembersPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { user, tenant } = await requireTenantPage((await params).tenant, "members");
  return (
    <>
      <PageHeader title="Members" description={`Who can use ${tenant.name}. Owners and admins manage members.`} />
      <MembersPanel tenantSlug={tenant.slug} myRole={tenant.role} myUserId={user.id} />
    </>
  );
}
