import { SkillsPanel } from "@/components/skills/skills-panel";
import { Card, PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function SkillsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "skills");
  return (
    <>
      <PageHeader title="Skills" description="Named instructions, in markdown, that this tenant's agents can read." />
      {hasRole(tenant.role, "member") ? (
        <SkillsPanel tenantSlug={tenant.slug} canEdit={hasRole(tenant.role, "admin")} />
      ) : (
        <Card>
          <p className="text-sm text-slate-600">Skills are open to members and above; you are a viewer.</p>
        </Card>
      )}
    </>
  );
}
