"use client";
import { useQuery } from "@tanstack/react-query";
import { format, formatDistance } from "date-fns";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Label, Select } from "@/components/ui/field";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TQueueState } from "@/server/operator/approvals";

const STATE_TONES: Record<TQueueState, "info" | "warning" | "danger"> = { pending: "info", overdue: "warning", stalled: "danger" };

/**
 * Every tenant's approval queue, for oversight: what waits, what is overdue, what a crash
 * left half-done. Deciding happens in the tenant's own inbox, by its approvers; the link
 * is there for the tenants the operator is a member of.
 */
export function ApprovalQueues({ memberOf }: { memberOf: string[] }) {
  const trpc = useTRPC();
  const [tenantSlug, setTenantSlug] = useState("");
  const tenants = useQuery(trpc.operator.tenant.list.queryOptions());
  const queues = useQuery(trpc.operator.approval.list.queryOptions(tenantSlug ? { tenantSlug } : {}, { refetchInterval: 30_000 }));
  // Times are relative to when the list was read (it refreshes every 30 s).
  const now = new Date(queues.dataUpdatedAt);
  return (
    <Card
      title="Approval queues"
      description="Calls waiting for approval in every tenant. Overdue ones are past their deadline (the sweep handles them within a minute); stalled ones were decided but their call has no outcome, which needs a look."
    >
      <div className="mb-4 flex items-end gap-3">
        <div>
          <Label htmlFor="queue-tenant">Tenant</Label>
          <Select id="queue-tenant" value={tenantSlug} onChange={(event) => setTenantSlug(event.target.value)}>
            <option value="">All tenants</option>
            {tenants.data?.map((tenant) => (
              <option key={tenant.id} value={tenant.slug}>
                {tenant.name} ({tenant.slug})
              </option>
            ))}
          </Select>
        </div>
        {queues.data ? (
          <p className="pb-2 text-sm text-slate-600" data-testid="queue-totals">
            {sum(queues.data.tenants, "pending")} waiting · {sum(queues.data.tenants, "overdue")} overdue ·{" "}
            {sum(queues.data.tenants, "stalled")} stalled
          </p>
        ) : null}
      </div>
      <QueryStates
        query={queues}
        isEmpty={queues.data?.items.length === 0}
        emptyTitle={tenantSlug ? "Nothing waits for approval in this tenant." : "Nothing waits for approval in any tenant."}
        errorText={errorMessage}
      >
        <Table
          testId="approval-queues"
          columns={[{ label: "Tenant" }, { label: "Tool" }, { label: "State" }, { label: "Where" }, { label: "Deadline" }, { label: "" }]}
        >
          {queues.data?.items.map((item) => (
            <Row key={item.id}>
              <td className="py-2">{item.tenant.name}</td>
              <td className="py-2 font-mono text-xs">{item.tool}</td>
              <td className="py-2">
                <Badge tone={STATE_TONES[item.state]}>{item.state}</Badge>
              </td>
              <td className="py-2 text-slate-600">{item.detail}</td>
              <td className="py-2 text-slate-600">
                {item.state === "stalled" && item.decidedAt
                  ? `decided ${formatDistance(item.decidedAt, now, { addSuffix: true })}`
                  : item.deadlineAt
                    ? `${format(item.deadlineAt, "yyyy-MM-dd HH:mm")} (${formatDistance(item.deadlineAt, now, { addSuffix: true })})`
                    : "none"}
              </td>
              <td className="py-2 text-right">
                {memberOf.includes(item.tenant.slug) ? (
                  <Link className="text-indigo-600 hover:underline" href={`/t/${item.tenant.slug}/approvals`}>
                    Inbox →
                  </Link>
                ) : null}
              </td>
            </Row>
          ))}
        </Table>
      </QueryStates>
    </Card>
  );
}

function sum(tenants: { pending: number; overdue: number; stalled: number }[], key: TQueueState): number {
  return tenants.reduce((total, tenant) => total + tenant[key], 0);
}
