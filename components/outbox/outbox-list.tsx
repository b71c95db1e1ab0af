"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { PROVIDER_DEFINITIONS, type TCredentialProvider } from "@/server/credentials/providers";

function providerLabel(provider: string): string {
  return PROVIDER_DEFINITIONS[provider as TCredentialProvider]?.label ?? provider;
}

/** Sandbox deliveries: tool calls of services the tenant has not connected, recorded instead of sent. */
export function OutboxList({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const outbox = useInfiniteQuery(
    trpc.outbox.list.infiniteQueryOptions({ tenantSlug, limit: 25 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const items = outbox.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Card
      title="Sandbox deliveries"
      description="What tools would have sent to services this tenant has not connected. Newest first."
      actions={<Badge tone="warning">Sandbox: not sent to the real service</Badge>}
    >
      <QueryStates
        query={outbox}
        isEmpty={items.length === 0}
        emptyTitle="Nothing in the outbox: no tool has delivered to the sandbox yet."
        errorText={errorMessage}
      >
        <Table
          testId="outbox-table"
          columns={[
            { label: "Time" },
            { label: "Tool" },
            { label: "Service" },
            { label: "Target" },
            { label: "Payload" },
            { label: "Run" },
          ]}
        >
          {items.map((item) => (
            <Row key={item.id}>
              <td className="whitespace-nowrap py-2 align-top text-slate-500">{format(item.createdAt, "yyyy-MM-dd HH:mm:ss")}</td>
              <td className="py-2 align-top font-mono text-xs">{item.tool}</td>
              <td className="py-2 align-top">{providerLabel(item.provider)}</td>
              <td className="max-w-48 break-all py-2 align-top font-mono text-xs">{item.target}</td>
              <td className="py-2 align-top">
                <details>
                  <summary className="cursor-pointer text-xs text-indigo-700">Show payload</summary>
                  <pre className="mt-1 max-h-64 max-w-md overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs">
                    {JSON.stringify(item.payload, null, 2)}
                  </pre>
                </details>
              </td>
              <td className="py-2 align-top">
                {item.runId ? (
                  <Link href={`/t/${tenantSlug}/runs/${item.runId}`} className="text-indigo-700 underline">
                    Open run
                  </Link>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </Row>
          ))}
        </Table>
        {outbox.hasNextPage ? (
          <div className="mt-4">
            <Button variant="secondary" isBusy={outbox.isFetchingNextPage} onClick={() => void outbox.fetchNextPage()}>
              Show older
            </Button>
          </div>
        ) : null}
      </QueryStates>
    </Card>
  );
}
