"use client";
import { usePathname, useRouter } from "next/navigation";

type Tenant = { slug: string; name: string };

/** Switches tenant and keeps the current area (members, chat…). */
export function TenantSwitcher({ tenants, current }: { tenants: Tenant[]; current: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const area = pathname.split("/")[3] ?? "members";
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="sr-only">Tenant</span>
      <select
        aria-label="Tenant"
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm font-medium"
        value={current}
        onChange={(event) => router.push(`/t/${event.target.value}/${area}`)}
      >
        {tenants.map((tenant) => (
          <option key={tenant.slug} value={tenant.slug}>
            {tenant.name}
          </option>
        ))}
      </select>
    </label>
  );
}
