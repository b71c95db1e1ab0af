"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";

export function AuditList({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const audit = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ tenantSlug, limit: 25 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const items = audit.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card title="Audit log" description="Every change in this tenant: who, what, when. Append-only.">
      <QueryStates query={audit} isEmpty={items.length === 0} emptyTitle="Nothing recorded yet." errorText={errorMessage}>
        <Table testId="audit-table" columns={[{ label: "When" }, { label: "Who" }, { label: "Action" }, { label: "Details" }]}>
          {items.map((item) => (
            <Row key={item.id} className="align-top">
              <td className="whitespace-nowrap py-2 text-slate-500">{format(item.createdAt, "yyyy-MM-dd HH:mm:ss")}</td>
              <td className="py-2">{item.actor}</td>
              <td className="py-2 font-mono text-xs">{item.action}</td>
              <td className="py-2 font-mono text-xs text-slate-600">{JSON.stringify(item.data)}</td>
            </Row>
          ))}
        </Table>
      </QueryStates>
      {audit.hasNextPage ? (
        <Button variant="secondary" className="mt-3" isBusy={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </Card>
  );
}
