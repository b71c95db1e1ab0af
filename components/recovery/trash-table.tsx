"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { actorLabel, when } from "./format";
import { VersionHistory } from "./version-history";

/** Everything deleted in the tenant, across kinds, most recent first, a page at a time, with Restore and each item's history. */
export function TrashTable({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const trash = useInfiniteQuery(
    trpc.recovery.trash.infiniteQueryOptions({ tenantSlug, limit: 50 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const items = trash.data?.pages.flatMap((page) => page.items) ?? [];
  const purgeAfterDays = trash.data?.pages[0]?.purgeAfterDays;
  const [openItem, setOpenItem] = useState<string | null>(null);
  const restore = useMutation(
    trpc.recovery.restore.mutationOptions({
      onSuccess: (_data, input) => {
        const title = items.find((item) => item.kind === input.kind && item.id === input.id)?.title ?? "The item";
        toast.success(`Restored "${title}".`);
        void queryClient.invalidateQueries({ queryKey: trpc.recovery.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.memory.pathKey() });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  return (
    <Card
      title="Deleted items"
      description={
        purgeAfterDays !== undefined
          ? `Kept for ${purgeAfterDays} days after deletion, then removed for good.`
          : "What agents and people deleted in this tenant."
      }
    >
      <QueryStates query={trash} isEmpty={items.length === 0} emptyTitle="Nothing in the trash" errorText={errorMessage}>
        <Table
          testId="trash-table"
          columns={[
            { label: "Kind" },
            { label: "Item" },
            { label: "Deleted by" },
            { label: "Deleted" },
            { label: "Version" },
            { label: "Purged on" },
            { label: "Actions", align: "right" },
          ]}
        >
          {items.map((item) => {
            const rowKey = `${item.kind}:${item.id}`;
            const isOpen = openItem === rowKey;
            const isBusy = restore.isPending && restore.variables?.kind === item.kind && restore.variables.id === item.id;
            return (
              <Fragment key={rowKey}>
                <Row>
                  <td className="py-2">
                    <Badge>{item.kindLabel}</Badge>
                  </td>
                  <td className="py-2 font-mono text-xs">{item.title}</td>
                  <td className="py-2 text-slate-600">{actorLabel(item.deletedBy)}</td>
                  <td className="py-2 text-slate-600">{when(item.deletedAt)}</td>
                  <td className="py-2 font-mono text-xs text-slate-600">v{item.version}</td>
                  <td className="py-2 text-slate-600">{when(item.purgesAt)}</td>
                  <td className="py-2 text-right">
                    <div className="inline-flex gap-2">
                      <Button
                        variant="ghost"
                        aria-expanded={isOpen}
                        aria-label={`History of ${item.title}`}
                        onClick={() => setOpenItem(isOpen ? null : rowKey)}
                      >
                        History
                      </Button>
                      <Button
                        variant="secondary"
                        isBusy={isBusy}
                        aria-label={`Restore ${item.title}`}
                        onClick={() => restore.mutate({ tenantSlug, kind: item.kind, id: item.id })}
                      >
                        Restore
                      </Button>
                    </div>
                  </td>
                </Row>
                {isOpen ? (
                  <tr>
                    <td colSpan={7} className="pb-3">
                      <VersionHistory tenantSlug={tenantSlug} kind={item.kind} id={item.id} title={item.title} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </Table>
      </QueryStates>
      {trash.hasNextPage ? (
        <Button variant="secondary" className="mt-3" isBusy={trash.isFetchingNextPage} onClick={() => void trash.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </Card>
  );
}
