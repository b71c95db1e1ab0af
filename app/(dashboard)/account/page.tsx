import { AccountSecurity } from "@/components/account/account-security";
import { AppHeader } from "@/components/layout/app-header";
import { PageHeader } from "@/components/ui/card";
import { requireUser } from "@/server/auth/page-access";
import { env } from "@/server/env";
import { serverCaller } from "@/server/trpc/server";

export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireUser("/account");
  const tenants = await (await serverCaller()).tenant.list();
  return (
    <div className="min-h-screen">
      <AppHeader user={user} mode={env.DEPLOYMENT_MODE} tenants={tenants} />
      <main className="mx-auto max-w-3xl px-6 py-8">
        <PageHeader title="Account" description={`Signed in as ${user.email}.`} />
        <AccountSecurity />
      </main>
    </div>
  );
}
