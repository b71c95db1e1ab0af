"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

/** The number of requests waiting for the signed-in user, next to "Approvals" in the navigation. */
export function PendingCount({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const count = useQuery(trpc.approval.count.queryOptions({ tenantSlug }, { refetchInterval: 10_000, refetchOnWindowFocus: true }));
  const pending = count.data?.pending ?? 0;
  // Nothing while loading, on error or when nothing waits: the link alone is enough.
  if (pending === 0) return null;
  return (
    <span
      className="ml-2 inline-flex min-w-5 items-center justify-center rounded-full bg-amber-500 px-1.5 text-xs font-semibold text-white"
      data-testid="approvals-count"
    >
      {pending > 99 ? "99+" : pending}
      <span className="sr-only"> waiting for you</span>
    </span>
  );
}
