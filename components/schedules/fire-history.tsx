"use client";
import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";

const STATUS_TONES: Record<string, "neutral" | "info" | "success" | "warning" | "danger"> = {
  started: "info",
  completed: "success",
  waiting_approval: "warning",
  failed: "danger",
  refused: "danger",
};

/** The latest fires: which run each started, or why it did not (the daily limit). */
export function FireHistory({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const runs = useQuery({ ...trpc.schedule.runs.queryOptions({ tenantSlug, limit: 50 }), refetchInterval: 30_000 });
  return (
    <Card title="Recent fires" description="The last 50 fires of schedules and heartbeat tasks, newest first.">
      <QueryStates query={runs} isEmpty={runs.data?.length === 0} emptyTitle="Nothing has fired yet." errorText={errorMessage}>
        <Table testId="fires-table" columns={[{ label: "Fire time" }, { label: "Of" }, { label: "Status" }, { label: "Run" }]}>
          {runs.data?.map((fire) => (
            <Row key={fire.id}>
              <td className="py-2 align-top whitespace-nowrap" title={`started ${fire.startedAt.toISOString()}`}>
                {format(fire.fireAt, "yyyy-MM-dd HH:mm")}
              </td>
              <td className="py-2 align-top">
                <span className="text-xs text-slate-500">{fire.kind === "cron" ? "schedule" : "heartbeat"}</span> {fire.label}
              </td>
              <td className="py-2 align-top">
                <Badge tone={STATUS_TONES[fire.status] ?? "neutral"}>{fire.status.replaceAll("_", " ")}</Badge>
              </td>
              <td className="py-2 align-top text-slate-600">
                {fire.runId ? (
                  <Link href={`/t/${tenantSlug}/runs/${fire.runId}`} className="text-indigo-700 hover:underline">
                    open run
                  </Link>
                ) : (
                  (fire.reason ?? (fire.status === "started" ? "starting…" : ""))
                )}
              </td>
            </Row>
          ))}
        </Table>
      </QueryStates>
    </Card>
  );
}
