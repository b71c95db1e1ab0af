"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/field";
import { ErrorState } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";

const WORDS = "empty the trash";

/** An admin removes everything in the Trash for good, now, after typing the words; the audit log records the counts. */
export function EmptyTrash({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const empty = useMutation(
    trpc.recovery.empty.mutationOptions({
      onSuccess: (data) => {
        setTyped("");
        void queryClient.invalidateQueries({ queryKey: trpc.recovery.pathKey() });
        toast.success(
          data.total === 0 ? "The Trash was already empty." : `Removed ${data.total} deleted item${data.total === 1 ? "" : "s"} for good.`,
        );
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (typed.trim().toLowerCase() === WORDS) empty.mutate({ tenantSlug, confirm: WORDS });
  }

  return (
    <Card
      title="Empty the Trash now"
      description="Removes every deleted item for good, without waiting for the retention period. It cannot be undone; the audit log records what was removed."
    >
      <form onSubmit={onSubmit} aria-label="Empty the Trash" className="flex flex-wrap items-end gap-3">
        <div>
          <Label htmlFor="emptyTrashWords">Type “{WORDS}” to confirm</Label>
          <Input
            id="emptyTrashWords"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            className="w-64"
          />
        </div>
        <Button type="submit" variant="danger" isBusy={empty.isPending} disabled={typed.trim().toLowerCase() !== WORDS}>
          Empty the Trash
        </Button>
      </form>
      {empty.isError ? (
        <div className="mt-3">
          <ErrorState message={errorMessage(empty.error)} />
        </div>
      ) : null}
    </Card>
  );
}
