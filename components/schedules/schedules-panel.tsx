"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { formatDistanceToNow } from "date-fns";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { QueryStates } from "@/components/ui/states";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TScheduleView } from "@/server/schedules/service";
import { ScheduleForm } from "./schedule-form";

type TEditing = { kind: "create" } | { kind: "edit"; schedule: TScheduleView } | null;

/** When a schedule runs next: in its own zone (what was asked for), with the distance from now. */
export function NextRun({ at, local, timezone }: { at: Date | null; local: string | null; timezone: string }) {
  if (!at || !local) return <span className="text-slate-400">none</span>;
  return (
    <span title={at.toISOString()}>
      {local} <span className="text-slate-500">{timezone}</span>
      <span className="block text-xs text-slate-500">{formatDistanceToNow(at, { addSuffix: true })}</span>
    </span>
  );
}

export function SchedulesPanel({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<TEditing>(null);
  const list = useQuery({ ...trpc.schedule.list.queryOptions({ tenantSlug }), refetchInterval: 30_000 });
  const cancel = useMutation(
    trpc.schedule.cancel.mutationOptions({
      onSuccess: (result) => {
        toast.success(`"${result.label}" is cancelled. It can be restored from the Trash.`);
        void queryClient.invalidateQueries({ queryKey: trpc.schedule.list.queryKey({ tenantSlug }) });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const limits = list.data?.limits;
  const isFull = limits ? limits.activeSchedules >= limits.maxActiveSchedules : false;

  return (
    <Card
      title="Cron schedules"
      description="Made here or by the agent (cron.schedule). Each fire starts an agent run with the message as its request."
      actions={
        editing ? null : (
          <Button
            onClick={() => setEditing({ kind: "create" })}
            disabled={isFull}
            title={isFull ? "This tenant is at its limit" : undefined}
          >
            New schedule
          </Button>
        )
      }
    >
      {editing ? (
        <ScheduleForm
          key={editing.kind === "edit" ? editing.schedule.id : "new"}
          tenantSlug={tenantSlug}
          mode={editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {limits ? (
        <p className="mb-3 text-xs text-slate-500" data-testid="schedule-limits">
          {limits.activeSchedules} of {limits.maxActiveSchedules} schedules · {limits.runsLast24h} of {limits.maxRunsPerDay} scheduled runs
          in the last 24 hours (schedules and heartbeats together). Past the limit, fires are skipped and recorded.
        </p>
      ) : null}
      <QueryStates
        query={list}
        isEmpty={list.data?.schedules.length === 0}
        emptyTitle="No schedules yet. Create one here, or ask the agent in chat: schedule `0 9 * * 1-5` in Europe/Paris: what do you remember?"
        errorText={errorMessage}
      >
        <Table
          testId="schedules-table"
          columns={[
            { label: "Label" },
            { label: "When" },
            { label: "Next run" },
            { label: "Last run" },
            { label: "Asks the agent" },
            { label: "" },
          ]}
        >
          {list.data?.schedules.map((schedule) => (
            <Row key={schedule.id}>
              <td className="py-2 align-top">
                <span className="font-medium">{schedule.label}</span>
                <span className="block text-xs text-slate-500">by {schedule.createdBy}</span>
                {schedule.isTainted ? (
                  <Badge tone="warning" className="mt-1">
                    from untrusted content
                  </Badge>
                ) : null}
              </td>
              <td className="py-2 align-top font-mono text-xs">{schedule.expression}</td>
              <td className="py-2 align-top">
                <NextRun at={schedule.nextRunAt} local={schedule.nextRunLocal} timezone={schedule.timezone} />
              </td>
              <td className="py-2 align-top text-slate-600">
                {schedule.lastRunAt ? formatDistanceToNow(schedule.lastRunAt, { addSuffix: true }) : "never"}
              </td>
              <td className="max-w-xs py-2 align-top text-slate-600">{schedule.message}</td>
              <td className="py-2 text-right align-top whitespace-nowrap">
                <Button variant="ghost" onClick={() => setEditing({ kind: "edit", schedule })}>
                  Edit
                </Button>
                <Button
                  variant="danger"
                  isBusy={cancel.isPending && cancel.variables?.scheduleId === schedule.id}
                  onClick={() => {
                    if (window.confirm(`Cancel "${schedule.label}"? It stops firing; you can restore it from the Trash.`))
                      cancel.mutate({ tenantSlug, scheduleId: schedule.id });
                  }}
                >
                  Cancel
                </Button>
              </td>
            </Row>
          ))}
        </Table>
      </QueryStates>
      <p className="mt-3 text-xs text-slate-500">
        Cancelled schedules and their versions are in the{" "}
        <Link href={`/t/${tenantSlug}/trash`} className="text-indigo-700 hover:underline">
          Trash
        </Link>
        .
      </p>
    </Card>
  );
}
