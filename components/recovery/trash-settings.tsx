"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/field";
import { ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { actorLabel, when } from "./format";

/** How long the Trash keeps deleted items before the daily purge; admins change it. */
export function TrashSettings({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.recovery.settings.queryOptions({ tenantSlug }));
  const update = useMutation(
    trpc.recovery.updateSettings.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.recovery.settings.queryKey({ tenantSlug }), data);
        void queryClient.invalidateQueries({ queryKey: trpc.recovery.trash.pathKey() });
        toast.success(`Deleted items are now kept for ${data.purgeAfterDays} days.`);
      },
    }),
  );

  if (settings.isPending) return <Loading label="Loading the Trash settings…" />;
  if (settings.isError) return <ErrorState message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />;
  const current = settings.data;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ tenantSlug, purgeAfterDays: Number(new FormData(event.currentTarget).get("purgeAfterDays")) });
  }

  return (
    <Card
      title="Trash retention"
      description={
        current.updatedAt
          ? `Set by ${actorLabel(current.updatedBy ?? "an admin")} on ${when(current.updatedAt)}.`
          : "The default: 30 days. A daily job removes older deleted items for good, and records what it removed in the audit log."
      }
    >
      <form onSubmit={onSubmit} aria-label="Trash retention" className="flex flex-wrap items-end gap-3">
        <div>
          <Label htmlFor="purgeAfterDays">Keep deleted items for (days)</Label>
          <Input
            id="purgeAfterDays"
            name="purgeAfterDays"
            type="number"
            min={1}
            max={3650}
            required
            defaultValue={current.purgeAfterDays}
            className="w-32"
          />
        </div>
        <Button type="submit" isBusy={update.isPending}>
          Save
        </Button>
      </form>
      {update.isError ? (
        <div className="mt-3">
          <ErrorState message={errorMessage(update.error)} />
        </div>
      ) : null}
    </Card>
  );
}
