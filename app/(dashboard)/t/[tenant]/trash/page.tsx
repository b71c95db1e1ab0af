import { EmptyTrash } from "@/components/recovery/empty-trash";
import { TrashSettings } from "@/components/recovery/trash-settings";
import { TrashTable } from "@/components/recovery/trash-table";
import { Card, PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function TrashPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "trash");
  return (
    <>
      <PageHeader
        title="Trash"
        description="Memory, skills, schedules, workflows and policy packs deleted by agents or people. Restore an item, or any earlier version of it."
      />
      {hasRole(tenant.role, "member") ? (
        <div className="space-y-6">
          <TrashTable tenantSlug={tenant.slug} />
          {hasRole(tenant.role, "admin") ? (
            <>
              <TrashSettings tenantSlug={tenant.slug} />
              <EmptyTrash tenantSlug={tenant.slug} />
            </>
          ) : null}
        </div>
      ) : (
        <Card>
          <p className="text-sm text-slate-600">The Trash is open to members and above; you are a viewer.</p>
        </Card>
      )}
    </>
  );
}
