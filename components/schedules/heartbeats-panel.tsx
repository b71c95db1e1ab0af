"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { ErrorState, QueryStates } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Row, Table } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/components/trpc";
import { browserTimezone, CronHint, Textarea, TimezoneInput } from "./fields";
import { NextRun } from "./schedules-panel";

function HeartbeatForm({ tenantSlug, onDone }: { tenantSlug: string; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [cadence, setCadence] = useState<"interval" | "cron">("interval");
  const create = useMutation(
    trpc.heartbeat.create.mutationOptions({
      onSuccess: (task) => {
        void queryClient.invalidateQueries({ queryKey: trpc.heartbeat.list.queryKey({ tenantSlug }) });
        toast.success(`Heartbeat "${task.label}" added.`);
        onDone();
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const common = { tenantSlug, label: String(form.get("label") ?? "").trim(), message: String(form.get("message") ?? "").trim() };
    if (cadence === "interval") create.mutate({ ...common, intervalMinutes: Number(form.get("intervalMinutes")) });
    else
      create.mutate({
        ...common,
        expression: String(form.get("expression") ?? "").trim(),
        timezone: String(form.get("timezone") ?? "").trim(),
      });
  }

  return (
    <form onSubmit={onSubmit} aria-label="New heartbeat task" className="mb-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4">
      <h3 className="text-sm font-semibold text-slate-900">New heartbeat task</h3>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        <div>
          <Label htmlFor={`${id}-label`}>Label</Label>
          <Input id={`${id}-label`} name="label" required maxLength={80} placeholder="inbox check" />
        </div>
        <div>
          <Label htmlFor={`${id}-cadence`}>Runs</Label>
          <Select
            id={`${id}-cadence`}
            className="w-full"
            value={cadence}
            onChange={(event) => setCadence(event.target.value as "interval" | "cron")}
          >
            <option value="interval">every N minutes</option>
            <option value="cron">on a cron expression</option>
          </Select>
        </div>
        {cadence === "interval" ? (
          <div>
            <Label htmlFor={`${id}-interval`}>Minutes between runs</Label>
            <Input id={`${id}-interval`} name="intervalMinutes" type="number" min={1} max={43200} required defaultValue={60} />
          </div>
        ) : (
          <>
            <div>
              <Label htmlFor={`${id}-expression`}>Cron expression</Label>
              <Input id={`${id}-expression`} name="expression" required maxLength={100} className="font-mono" defaultValue="0 * * * *" />
              <CronHint />
            </div>
            <div>
              <Label htmlFor={`${id}-timezone`}>Time zone</Label>
              <TimezoneInput id={`${id}-timezone`} name="timezone" defaultValue={browserTimezone()} />
            </div>
          </>
        )}
      </div>
      <div>
        <Label htmlFor={`${id}-message`}>What the agent is asked to do</Label>
        <Textarea id={`${id}-message`} name="message" required maxLength={2000} rows={3} />
      </div>
      {create.isError ? <ErrorState message={errorMessage(create.error)} /> : null}
      <div className="flex gap-2">
        <Button type="submit" isBusy={create.isPending}>
          Add
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Close
        </Button>
      </div>
    </form>
  );
}

/** The tenant's periodic tasks: members see them, admins add, pause and delete them. */
export function HeartbeatsPanel({ tenantSlug, canEdit }: { tenantSlug: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isAdding, setIsAdding] = useState(false);
  const listKey = trpc.heartbeat.list.queryKey({ tenantSlug });
  const list = useQuery({ ...trpc.heartbeat.list.queryOptions({ tenantSlug }), refetchInterval: 30_000 });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: listKey });
  const update = useMutation(
    trpc.heartbeat.update.mutationOptions({
      onSuccess: (task) => {
        toast.success(`"${task.label}" is ${task.isEnabled ? "on" : "paused"}.`);
        refresh();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const archive = useMutation(
    trpc.heartbeat.archive.mutationOptions({
      onSuccess: (result) => {
        toast.success(`"${result.label}" is deleted. It can be restored from the Trash.`);
        refresh();
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  return (
    <Card
      title="Heartbeat tasks"
      description="Periodic tasks an admin sets up, run by the worker like schedules."
      actions={canEdit && !isAdding ? <Button onClick={() => setIsAdding(true)}>New heartbeat</Button> : null}
    >
      {isAdding ? <HeartbeatForm tenantSlug={tenantSlug} onDone={() => setIsAdding(false)} /> : null}
      <QueryStates query={list} isEmpty={list.data?.length === 0} emptyTitle="No heartbeat tasks." errorText={errorMessage}>
        <Table
          testId="heartbeats-table"
          columns={[
            { label: "Label" },
            { label: "Runs" },
            { label: "Next run" },
            { label: "Asks the agent" },
            { label: "Enabled" },
            { label: "" },
          ]}
        >
          {list.data?.map((task) => (
            <Row key={task.id}>
              <td className="py-2 align-top font-medium">{task.label}</td>
              <td className="py-2 align-top text-slate-600">
                {task.intervalMinutes !== null ? (
                  `every ${task.intervalMinutes} min`
                ) : (
                  <span className="font-mono text-xs">{task.expression}</span>
                )}
              </td>
              <td className="py-2 align-top">
                <NextRun at={task.nextRunAt} local={task.nextRunLocal} timezone={task.timezone} />
              </td>
              <td className="max-w-xs py-2 align-top text-slate-600">{task.message}</td>
              <td className="py-2 align-top">
                {canEdit ? (
                  <Switch
                    label={`${task.label} enabled`}
                    checked={task.isEnabled}
                    offText="Paused"
                    onCheckedChange={async (isEnabled) =>
                      (await update.mutateAsync({ tenantSlug, heartbeatId: task.id, isEnabled })).isEnabled
                    }
                  />
                ) : (
                  <Badge tone={task.isEnabled ? "success" : "neutral"}>{task.isEnabled ? "On" : "Paused"}</Badge>
                )}
              </td>
              <td className="py-2 text-right align-top">
                {canEdit ? (
                  <Button
                    variant="danger"
                    isBusy={archive.isPending && archive.variables?.heartbeatId === task.id}
                    onClick={() => {
                      if (window.confirm(`Delete "${task.label}"? You can restore it from the Trash.`))
                        archive.mutate({ tenantSlug, heartbeatId: task.id });
                    }}
                  >
                    Delete
                  </Button>
                ) : null}
              </td>
            </Row>
          ))}
        </Table>
      </QueryStates>
    </Card>
  );
}
