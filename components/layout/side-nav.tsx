"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

export const AREAS = [
  { path: "chat", label: "Chat" },
  { path: "approvals", label: "Approvals" },
  { path: "packs", label: "Policy packs" },
  { path: "rollouts", label: "Rollouts" },
  { path: "budgets", label: "Budgets" },
  { path: "runs", label: "Runs" },
  { path: "members", label: "Members" },
  { path: "settings", label: "Settings" },
] as const;

export function SideNav({ tenantSlug }: { tenantSlug: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Areas" className="flex flex-col gap-0.5">
      {AREAS.map((area) => {
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
          </Link>
        );
      })}
    </nav>
  );
}
