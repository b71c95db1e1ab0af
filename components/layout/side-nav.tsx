"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { PendingCount } from "@/components/approvals/pending-count";
import { cn } from "@/components/ui/cn";
import { hasRole, type TRole } from "@/server/auth/roles";

type TArea = { path: string; label: string; least?: TRole };

export const AREAS: readonly TArea[] = [
  { path: "chat", label: "Chat" },
  { path: "approvals", label: "Approvals", least: "member" },
  { path: "packs", label: "Policy packs" },
  { path: "rollouts", label: "Rollouts" },
  { path: "budgets", label: "Budgets" },
  { path: "skills", label: "Skills" },
  { path: "workflows", label: "Workflows" },
  { path: "schedules", label: "Schedules", least: "member" },
  { path: "runs", label: "Runs" },
  { path: "members", label: "Members" },
  { path: "memory", label: "Memory" },
  { path: "trash", label: "Trash" },
  { path: "outbox", label: "Outbox" },
  { path: "connections", label: "Connections", least: "admin" },
  { path: "settings", label: "Settings" },
];

/** Areas a role cannot open are not offered (each page checks access itself anyway). */
export function SideNav({ tenantSlug, role }: { tenantSlug: string; role: TRole }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Areas" className="flex flex-col gap-0.5">
      {AREAS.filter((area) => !area.least || hasRole(role, area.least)).map((area) => {
        const href = `/t/${tenantSlug}/${area.path}`;
        const isActive = pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={area.path}
            href={href}
            aria-current={isActive ? "page" : undefined}
            className={cn(
              "rounded-md px-3 py-1.5 text-sm",
              isActive ? "bg-indigo-50 font-medium text-indigo-700" : "text-slate-700 hover:bg-slate-100",
            )}
          >
            {area.label}
            {area.path === "approvals" && hasRole(role, "member") ? <PendingCount tenantSlug={tenantSlug} /> : null}
          </Link>
        );
      })}
    </nav>
  );
}
