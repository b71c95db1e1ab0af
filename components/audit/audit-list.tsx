"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

export function AuditList({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const audit = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ tenantSlug, limit: 25 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const items = audit.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card title="Audit log" description="Every change in this tenant: who, what, when. Append-only.">
      {audit.isPending ? <Loading /> : null}
      {audit.isError ? <ErrorState message={errorMessage(audit.error)} onRetry={() => void audit.refetch()} /> : null}
      {audit.isSuccess && items.length === 0 ? <EmptyState title="Nothing recorded yet." /> : null}
      {items.length > 0 ? (
        <table className="w-full text-sm" data-testid="audit-table">
          <thead>
            <tr className="border-b border-slate-100 text-left text-xs uppercase tracking-wide text-slate-500">
              <th className="py-2 font-medium">When</th>
              <th className="py-2 font-medium">Who</th>
              <th className="py-2 font-medium">Action</th>
              <th className="py-2 font-medium">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} className="border-b border-slate-50 align-top last:border-0">
                <td className="whitespace-nowrap py-2 text-slate-500">{format(item.createdAt, "yyyy-MM-dd HH:mm:ss")}</td>
                <td className="py-2">{item.actor}</td>
                <td className="py-2 font-mono text-xs">{item.action}</td>
                <td className="py-2 font-mono text-xs text-slate-600">{JSON.stringify(item.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {audit.hasNextPage ? (
        <Button variant="secondary" className="mt-3" isBusy={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </Card>
  );
}
