"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { RunOutcomeBadge } from "./status-badge";

type TFilters = {
  status?: "running" | "waiting_approval" | "completed" | "failed";
  principal?: string;
  tool?: string;
  from?: Date;
  to?: Date;
};

function clean(form: FormData): TFilters {
  const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
  const date = (name: string) => (text(name) ? new Date(String(text(name))) : undefined);
  return {
    status: text("status") as TFilters["status"],
    principal: text("principal"),
    tool: text("tool"),
    from: date("from"),
    to: date("to"),
  };
}

export function RunsList({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<TFilters>({});
  const runs = useInfiniteQuery(
    trpc.run.list.infiniteQueryOptions({ tenantSlug, limit: 25, ...filters }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFilters(clean(new FormData(event.currentTarget)));
  }

  return (
    <Card title="Runs" description="Every agent run, newest first. Open one to step through it.">
      <form onSubmit={onSubmit} className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-6 md:items-end" aria-label="Filter runs">
        <div>
          <Label htmlFor="filter-status">Status</Label>
          <Select id="filter-status" name="status" defaultValue="" className="w-full">
            <option value="">any</option>
            <option value="running">running</option>
            <option value="waiting_approval">waiting for approval</option>
            <option value="completed">completed</option>
            <option value="failed">failed</option>
          </Select>
        </div>
        <div>
          <Label htmlFor="filter-principal">Principal</Label>
          <Input id="filter-principal" name="principal" placeholder="user:…" />
        </div>
        <div>
          <Label htmlFor="filter-tool">Tool</Label>
          <Input id="filter-tool" name="tool" placeholder="payments.transfer" />
        </div>
        <div>
          <Label htmlFor="filter-from">From</Label>
          <Input id="filter-from" name="from" type="date" />
        </div>
        <div>
          <Label htmlFor="filter-to">To</Label>
          <Input id="filter-to" name="to" type="date" />
        </div>
        <Button type="submit" variant="secondary">
          Apply filters
        </Button>
      </form>
      <QueryStates query={runs} isEmpty={items.length === 0} emptyTitle="No runs match." errorText={errorMessage}>
        <Table
          testId="runs-table"
          columns={[{ label: "Run" }, { label: "Outcome" }, { label: "Principal" }, { label: "Tools" }, { label: "Started" }]}
        >
          {items.map((run) => (
            <Row key={run.id}>
              <td className="py-2">
                <Link href={`/t/${tenantSlug}/runs/${run.id}`} className="font-medium text-indigo-700 hover:underline">
                  {run.title}
                </Link>
              </td>
              <td className="py-2">
                <RunOutcomeBadge outcome={run.outcome} />
              </td>
              <td className="py-2 font-mono text-xs">{run.principal}</td>
              <td className="py-2 font-mono text-xs">{run.tools.join(", ") || "—"}</td>
              <td className="py-2 text-slate-500">{format(run.startedAt, "yyyy-MM-dd HH:mm")}</td>
            </Row>
          ))}
        </Table>
      </QueryStates>
      {runs.hasNextPage ? (
        <Button variant="secondary" className="mt-3" isBusy={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
          Load more
        </Button>
      ) : null}
    </Card>
  );
}
