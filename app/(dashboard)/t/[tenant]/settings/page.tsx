import { AgentKeysPanel } from "@/components/agents/agent-keys-panel";
import { AuditList } from "@/components/audit/audit-list";
import { ModelPanel } from "@/components/settings/model-panel";
import { ToolsPanel } from "@/components/settings/tools-panel";
import { EventLogSettings } from "@/components/trace/event-log-settings";
import { ExportPanel } from "@/components/trace/export-panel";
import { SigningKeys } from "@/components/trace/signing-keys";
import { Card, PageHeader } from "@/components/ui/card";
import { requireTenantPage } from "@/server/auth/page-access";
import { hasRole } from "@/server/auth/roles";

export default async function SettingsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await requireTenantPage((await params).tenant, "settings");
  const isAdmin = tenant.role === "owner" || tenant.role === "admin";
  return (
    <>
      <PageHeader title="Settings" description={`${tenant.name} (${tenant.slug})`} />
      <div className="space-y-6">
        <Card title="Tenant">
          <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd>{tenant.name}</dd>
            <dt className="text-slate-500">Slug</dt>
            <dd className="font-mono">{tenant.slug}</dd>
            <dt className="text-slate-500">Deployment mode</dt>
            <dd className="font-mono">{tenant.deploymentMode}</dd>
            <dt className="text-slate-500">Your role</dt>
            <dd>{tenant.role}</dd>
          </dl>
        </Card>
        {hasRole(tenant.role, "member") ? <ModelPanel tenantSlug={tenant.slug} canEdit={isAdmin} /> : null}
        <ToolsPanel tenantSlug={tenant.slug} canEdit={isAdmin} />
        <SigningKeys tenantSlug={tenant.slug} canRotate={isAdmin} />
        {isAdmin ? <EventLogSettings tenantSlug={tenant.slug} /> : null}
        {isAdmin ? <ExportPanel tenantSlug={tenant.slug} /> : null}
        {isAdmin ? <AgentKeysPanel tenantSlug={tenant.slug} /> : null}
        {isAdmin ? <AuditList tenantSlug={tenant.slug} /> : null}
      </div>
    </>
  );
}
