import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { TDeploymentMode } from "@/server/env";
import { SignOutButton } from "./sign-out-button";
import { TenantSwitcher } from "./tenant-switcher";

export function AppHeader({
  user,
  mode,
  tenants,
  currentTenant,
}: {
  user: { email: string; isOperator: boolean };
  mode: TDeploymentMode;
  tenants: { slug: string; name: string }[];
  currentTenant?: string;
}) {
  return (
    <header className="flex items-center justify-between border-b border-slate-200 bg-white px-6 py-3">
      <div className="flex items-center gap-4">
        <Link href="/" className="font-semibold text-slate-900">
          Agent Fabric
        </Link>
        <Badge tone={mode === "saas" ? "info" : "warning"} className="uppercase">
          <span data-testid="deployment-mode">{mode === "saas" ? "saas" : "self_hosted"}</span>
        </Badge>
        {currentTenant && tenants.length > 0 ? <TenantSwitcher tenants={tenants} current={currentTenant} /> : null}
      </div>
      <div className="flex items-center gap-3 text-sm text-slate-600">
        {user.isOperator ? (
          <Link href="/operator" className="font-medium text-indigo-700 hover:underline">
            Operator
          </Link>
        ) : null}
        <Link href="/account" className="hover:underline" title="Account: password, sessions">
          {user.email}
        </Link>
        <SignOutButton />
      </div>
    </header>
  );
}
