"use client";
import { useQuery } from "@tanstack/react-query";
import { format, formatDistance } from "date-fns";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Select } from "@/components/ui/field";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TNotificationLogItem } from "@/server/approvals/notify-settings";

const KIND_LABELS: Record<TNotificationLogItem["kind"], string> = {
  requested: "Approval needed",
  sla_warning: "Deadline soon",
  decided: "Decided",
};
type TStatusFilter = "" | TNotificationLogItem["status"];

function StatusCell({ item }: { item: TNotificationLogItem }) {
  if (item.status === "sent") return <Badge tone="success">sent</Badge>;
  if (item.status === "failed") return <Badge tone="danger">failed</Badge>;
  return <Badge tone={item.attempts > 0 ? "warning" : "info"}>{item.attempts > 0 ? "retrying" : "queued"}</Badge>;
}

/** Members: recent approval notifications, with failures, their reasons and the next retry. */
export function NotificationLog({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<TStatusFilter>("");
  // Deliveries run every minute; refresh so a retry shows without a reload.
  const log = useQuery({
    ...trpc.approvalNotification.list.queryOptions({ tenantSlug, limit: 100, ...(status ? { status } : {}) }),
    refetchInterval: 30_000,
  });
  const items = log.data ?? [];
  // "Now" is when the list was fetched, so rendering stays pure; it refreshes every 30 s.
  const fetchedAt = log.dataUpdatedAt;

  return (
    <Card
      title="Notification deliveries"
      description="Webhook and email notifications of approval events, newest first. Failed deliveries are retried after 1, 5, 15 and 60 minutes, then marked failed."
      actions={
        <Select aria-label="Filter by status" value={status} onChange={(event) => setStatus(event.target.value as TStatusFilter)}>
          <option value="">All</option>
          <option value="pending">Waiting</option>
          <option value="sent">Sent</option>
          <option value="failed">Failed</option>
        </Select>
      }
    >
      <QueryStates
        query={log}
        isEmpty={items.length === 0}
        emptyTitle={status ? "No deliveries with this status." : "No notifications yet: none configured, or no approval event since."}
        errorText={errorMessage}
      >
        <Table
          testId="notification-log"
          columns={[
            { label: "Time" },
            { label: "Event" },
            { label: "Channel" },
            { label: "Status" },
            { label: "Attempts" },
            { label: "Details" },
          ]}
        >
          {items.map((item) => (
            <Row key={item.id}>
              <td className="whitespace-nowrap py-2 align-top text-slate-500">{format(item.createdAt, "yyyy-MM-dd HH:mm:ss")}</td>
              <td className="py-2 align-top">
                <div>{KIND_LABELS[item.kind]}</div>
                {item.tool ? <div className="font-mono text-xs text-slate-500">{item.tool}</div> : null}
                {item.requestId ? (
                  <Link href={`/t/${tenantSlug}/approvals?request=${item.requestId}`} className="text-xs text-indigo-700 underline">
                    Open request
                  </Link>
                ) : null}
              </td>
              <td className="py-2 align-top">
                <div>{item.channel === "webhook" ? "Webhook" : "Email"}</div>
                <div className="max-w-48 break-all font-mono text-xs text-slate-500">{item.target}</div>
              </td>
              <td className="py-2 align-top">
                <StatusCell item={item} />
              </td>
              <td className="py-2 align-top tabular-nums">{item.attempts}</td>
              <td className="max-w-md py-2 align-top text-xs">
                {item.status === "sent" && item.sentAt ? (
                  <span className="text-slate-500">Sent {format(item.sentAt, "HH:mm:ss")}</span>
                ) : null}
                {item.lastError ? <p className="break-words text-red-700">{item.lastError}</p> : null}
                {item.nextAttemptAt ? (
                  <p className="text-slate-500">
                    {item.attempts > 0 ? "Next try" : "Sends"}{" "}
                    {item.nextAttemptAt.getTime() <= fetchedAt
                      ? "within a minute"
                      : `${formatDistance(item.nextAttemptAt, fetchedAt, { addSuffix: true })} (${format(item.nextAttemptAt, "HH:mm")})`}
                  </p>
                ) : null}
              </td>
            </Row>
          ))}
        </Table>
      </QueryStates>
    </Card>
  );
}
