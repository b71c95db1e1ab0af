import { notFound } from "next/navigation";
import { AppHeader } from "@/components/layout/app-header";
import { ApprovalQueues } from "@/components/operator/approval-queues";
import { TenantsPanel } from "@/components/operator/tenants-panel";
import { PageHeader } from "@/components/ui/card";
import { requireUser } from "@/server/auth/page-access";
import { env } from "@/server/env";
import { serverCaller } from "@/server/trpc/server";

export const dynamic = "force-dynamic";

export default async function OperatorPage() {
  const user = await requireUser("/operator");
  if (!user.isOperator) notFound();
  const tenants = await (await serverCaller()).tenant.list();
  return (
    <div className="min-h-screen">
      <AppHeader user={user} mode={env.DEPLOYMENT_MODE} tenants={tenants} />
      <main className="mx-auto max-w-5xl px-6 py-8">
        <PageHeader title="Operator" description="Platform administration: tenants and their approval queues across the installation." />
        <div className="space-y-6">
          <TenantsPanel />
          <ApprovalQueues memberOf={tenants.map((tenant) => tenant.slug)} />
        </div>
      </main>
    </div>
  );
}
