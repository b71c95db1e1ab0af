"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/field";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Money } from "@/components/ui/money";
import { usePrincipalLabel } from "./use-principals";

const STATUS_TONES = { approved: "success", denied: "danger", expired: "warning", cancelled: "neutral" } as const;

/** Decided requests, newest first; search by tool, requester, comment or counterparty. */
export function History({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const principalLabel = usePrincipalLabel(tenantSlug);
  const [query, setQuery] = useState("");
  const history = useQuery(
    trpc.approval.history.queryOptions(
      { tenantSlug, limit: 100, ...(query ? { query } : {}) },
      { refetchInterval: 10_000, placeholderData: keepPreviousData },
    ),
  );
  const items = history.data ?? [];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setQuery(String(new FormData(event.currentTarget).get("query") ?? "").trim());
  }

  return (
    <Card title="History" description="Requests already decided: approved, denied or timed out.">
      <form onSubmit={onSubmit} role="search" aria-label="Search the history" className="mb-4 flex gap-2">
        <Input name="query" aria-label="Search decided requests" placeholder="Tool, counterparty, comment or requester" />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <QueryStates
        query={history}
        isEmpty={items.length === 0}
        emptyTitle={query ? "No decided request matches." : "No request has been decided yet."}
        errorText={errorMessage}
      >
        <Table
          testId="approval-history"
          columns={[
            { label: "Decided" },
            { label: "Tool" },
            { label: "Amount" },
            { label: "Requester" },
            { label: "Outcome" },
            { label: "Comment" },
          ]}
        >
          {items.map((item) => (
            <Row key={item.id}>
              <td className="py-2 pr-3 whitespace-nowrap text-slate-500">
                {item.decidedAt ? format(item.decidedAt, "yyyy-MM-dd HH:mm") : "—"}
              </td>
              <td className="py-2 pr-3">
                <Link href={`/t/${tenantSlug}/runs/${item.runId}`} className="font-mono text-xs text-indigo-700 hover:underline">
                  {item.tool}
                </Link>
                {item.counterparty ? <span className="ml-2 text-slate-600">to {item.counterparty}</span> : null}
              </td>
              <td className="py-2 pr-3 whitespace-nowrap">
                {item.amount !== null ? <Money minor={item.amount} currency={item.currency} /> : "—"}
              </td>
              <td className="py-2 pr-3">{principalLabel(item.requestedBy)}</td>
              <td className="py-2 pr-3">
                <Badge tone={STATUS_TONES[item.status as keyof typeof STATUS_TONES] ?? "neutral"}>{item.status}</Badge>
                {item.outcomeNote ? (
                  <span className="ml-2 text-xs text-slate-600" data-testid="outcome-note">
                    {item.outcomeNote}
                  </span>
                ) : null}
              </td>
              <td className="py-2 text-slate-600">{item.comment ?? ""}</td>
            </Row>
          ))}
        </Table>
      </QueryStates>
    </Card>
  );
}
