"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import type { TScheduleView } from "@/server/schedules/service";
import { browserTimezone, CronHint, Textarea, TimezoneInput } from "./fields";

type TMode = { kind: "create" } | { kind: "edit"; schedule: TScheduleView };

/** A new schedule, or an edit of one (a new version; a new time counts from now). */
export function ScheduleForm({ tenantSlug, mode, onDone }: { tenantSlug: string; mode: TMode; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const current = mode.kind === "edit" ? mode.schedule : null;
  const onSuccess = (schedule: TScheduleView) => {
    void queryClient.invalidateQueries({ queryKey: trpc.schedule.list.queryKey({ tenantSlug }) });
    toast.success(
      `"${schedule.label}" ${mode.kind === "create" ? "is scheduled" : "was saved"}; next run ${schedule.nextRunLocal ?? "none"} (${schedule.timezone}).`,
    );
    onDone();
  };
  const create = useMutation(trpc.schedule.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.schedule.update.mutationOptions({ onSuccess }));
  const mutation = mode.kind === "create" ? create : update;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const fields = {
      label: String(form.get("label") ?? "").trim(),
      expression: String(form.get("expression") ?? "").trim(),
      timezone: String(form.get("timezone") ?? "").trim(),
      message: String(form.get("message") ?? "").trim(),
    };
    if (mode.kind === "create") create.mutate({ tenantSlug, ...fields });
    else update.mutate({ tenantSlug, scheduleId: mode.schedule.id, ...fields });
  }

  const title = current ? `Edit "${current.label}"` : "New schedule";
  return (
    <form onSubmit={onSubmit} aria-label={title} className="mb-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4">
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        <div>
          <Label htmlFor={`${id}-label`}>Label</Label>
          <Input id={`${id}-label`} name="label" required maxLength={80} defaultValue={current?.label} placeholder="morning digest" />
        </div>
        <div>
          <Label htmlFor={`${id}-expression`}>Cron expression</Label>
          <Input
            id={`${id}-expression`}
            name="expression"
            required
            maxLength={100}
            className="font-mono"
            defaultValue={current?.expression ?? "0 9 * * 1-5"}
          />
          <CronHint />
        </div>
        <div>
          <Label htmlFor={`${id}-timezone`}>Time zone</Label>
          <TimezoneInput id={`${id}-timezone`} name="timezone" defaultValue={current?.timezone ?? browserTimezone()} />
        </div>
      </div>
      <div>
        <Label htmlFor={`${id}-message`}>What the agent is asked to do</Label>
        <Textarea
          id={`${id}-message`}
          name="message"
          required
          maxLength={2000}
          rows={3}
          defaultValue={current?.message}
          placeholder="what do you remember about the launch?"
        />
      </div>
      {mutation.isError ? <ErrorState message={errorMessage(mutation.error)} /> : null}
      <div className="flex gap-2">
        <Button type="submit" isBusy={mutation.isPending}>
          {current ? "Save" : "Schedule"}
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Close
        </Button>
      </div>
    </form>
  );
}
