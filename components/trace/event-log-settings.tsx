"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/field";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

const CLASSES = ["policy_decision", "approval", "tool_call", "tool_result", "message", "admin", "run"] as const;

export function EventLogSettings({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.trace.settings.queryOptions({ tenantSlug }));
  const update = useMutation(
    trpc.trace.updateSettings.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.trace.settings.queryKey({ tenantSlug }), data);
        toast.success("Event log settings saved.");
      },
    }),
  );
  const prune = useMutation(
    trpc.trace.applyRetention.mutationOptions({
      onSuccess: (result) => {
        toast.success(
          result.removed === 0
            ? "Nothing has expired."
            : `Removed ${result.removed} expired events; the chain still verifies through their summaries.`,
        );
        void queryClient.invalidateQueries({ queryKey: trpc.trace.verify.queryKey({ tenantSlug }) });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />;
  const current = settings.data;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    update.mutate({
      tenantSlug,
      checkpointEvery: Number(form.get("checkpointEvery")),
      checkpointMinutes: Number(form.get("checkpointMinutes")),
      anchoring: String(form.get("anchoring")) as "off" | "builtin",
      retention: Object.fromEntries(CLASSES.map((name) => [name, Number(form.get(`retention.${name}`))])),
    });
  }

  return (
    <Card
      title="Event log"
      description="Checkpoints sign the chain's head with the tenant key; retention removes old events and keeps a verifiable summary."
    >
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
          <div>
            <Label htmlFor="checkpointEvery">Checkpoint every (events)</Label>
            <Input id="checkpointEvery" name="checkpointEvery" type="number" min={1} required defaultValue={current.checkpointEvery} />
          </div>
          <div>
            <Label htmlFor="checkpointMinutes">…or every (minutes)</Label>
            <Input
              id="checkpointMinutes"
              name="checkpointMinutes"
              type="number"
              min={1}
              required
              defaultValue={current.checkpointMinutes}
            />
          </div>
          <div>
            <Label htmlFor="anchoring">Anchoring</Label>
            <Select id="anchoring" name="anchoring" defaultValue={current.anchoring} className="w-full">
              <option value="builtin">built-in transparency log</option>
              <option value="off">off</option>
            </Select>
          </div>
        </div>
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700">Retention (days) per event class</legend>
          <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
            {CLASSES.map((name) => (
              <div key={name}>
                <Label htmlFor={`retention-${name}`}>{name}</Label>
                <Input
                  id={`retention-${name}`}
                  name={`retention.${name}`}
                  type="number"
                  min={1}
                  required
                  defaultValue={current.retention[name] ?? 365}
                />
              </div>
            ))}
          </div>
        </fieldset>
        {update.isError ? <ErrorState message={errorMessage(update.error)} /> : null}
        <div className="flex gap-2">
          <Button type="submit" isBusy={update.isPending}>
            Save
          </Button>
          <Button type="button" variant="secondary" isBusy={prune.isPending} onClick={() => prune.mutate({ tenantSlug })}>
            Apply retention now
          </Button>
        </div>
      </form>
    </Card>
  );
}
