"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { formatDistanceToNowStrict } from "date-fns";
import Link from "next/link";
import type { FormEvent, ReactNode } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/field";
import { errorMessage, useTRPC } from "@/components/trpc";

/**
 * Admins only, and only when there are any: decided calls that never got an outcome (the
 * server stopped while the call ran, or before it started long ago). Whether the tool
 * acted cannot be known here: the admin checks the tool's side and closes each with a note.
 */
export function StalledPanel({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const stalled = useQuery(trpc.approval.stalled.queryOptions({ tenantSlug }, { refetchInterval: 60_000 }));
  const unknown = useQuery(trpc.run.unknownOutcomes.queryOptions({ tenantSlug }, { refetchInterval: 60_000 }));
  if (!stalled.data?.length && !unknown.data?.length) return null;
  return (
    <Card
      title="Needs attention"
      description="Calls with no outcome: the server stopped while the call ran, or before it could start. Check the tool's side (the outbox, the payment provider, the memory history), then close each with what you found."
    >
      <ul className="divide-y divide-slate-100" data-testid="stalled-requests">
        {stalled.data?.map((item) => (
          <StalledItem key={item.id} tenantSlug={tenantSlug} item={item} />
        ))}
        {unknown.data?.map((item) => (
          <UnknownOutcomeItem key={item.id} tenantSlug={tenantSlug} item={item} />
        ))}
      </ul>
    </Card>
  );
}

/** An external call (not held) that was in flight when the server stopped. */
function UnknownOutcomeItem({
  tenantSlug,
  item,
}: {
  tenantSlug: string;
  item: { id: string; runId: string; tool: string; startedAt: Date };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const close = useMutation(
    trpc.run.closeOutcome.mutationOptions({
      onSuccess: () => toast.success(`${item.tool} is closed; its run has ended with your note.`),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.run.unknownOutcomes.queryKey({ tenantSlug }) }),
    }),
  );
  return (
    <CloseForm
      tool={item.tool}
      isBusy={(result) => close.isPending && close.variables.result === result}
      onClose={(result, note) => close.mutate({ tenantSlug, executionId: item.id, result, note })}
    >
      <span className="font-mono text-xs font-semibold">{item.tool}</span> started{" "}
      {formatDistanceToNowStrict(item.startedAt, { addSuffix: true })} and never reported back.{" "}
      <Link href={`/t/${tenantSlug}/runs/${item.runId}`} className="text-indigo-700 hover:underline">
        Open the run →
      </Link>
    </CloseForm>
  );
}

type TStalledItem = { id: string; runId: string; tool: string; status: string; decidedAt: Date | null; isClaimed: boolean };

function StalledItem({ tenantSlug, item }: { tenantSlug: string; item: TStalledItem }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const close = useMutation(
    trpc.approval.close.mutationOptions({
      onSuccess: () => toast.success(`${item.tool} is closed; its run has ended with your note.`),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.approval.stalled.queryKey({ tenantSlug }) }),
    }),
  );

  return (
    <CloseForm
      tool={item.tool}
      isBusy={(result) => close.isPending && close.variables.result === result}
      onClose={(result, note) => close.mutate({ tenantSlug, requestId: item.id, result, note })}
    >
      <span className="font-mono text-xs font-semibold">{item.tool}</span>, {item.status}
      {item.decidedAt ? ` ${formatDistanceToNowStrict(item.decidedAt, { addSuffix: true })}` : ""}:{" "}
      {item.isClaimed ? "the call started and never reported back." : "the call never started."}{" "}
      <Link href={`/t/${tenantSlug}/runs/${item.runId}`} className="text-indigo-700 hover:underline">
        Open the run →
      </Link>
    </CloseForm>
  );
}

type TResult = "ran" | "did_not_run";

function CloseForm({
  tool,
  isBusy,
  onClose,
  children,
}: {
  tool: string;
  isBusy: (result: TResult) => boolean;
  onClose: (result: TResult, note: string) => void;
  children: ReactNode;
}) {
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Which button sent the form says what the admin found.
    const form = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    onClose(form.get("result") === "ran" ? "ran" : "did_not_run", String(form.get("note") ?? "").trim());
  }

  return (
    <li className="space-y-2 py-3 text-sm">
      <p>{children}</p>
      <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-2" aria-label={`Close ${tool}`}>
        <Button type="submit" variant="secondary" name="result" value="ran" isBusy={isBusy("ran")}>
          It ran
        </Button>
        <Button type="submit" variant="secondary" name="result" value="did_not_run" isBusy={isBusy("did_not_run")}>
          It did not run
        </Button>
        <Input
          name="note"
          required
          maxLength={2_000}
          aria-label="What you found"
          placeholder="What you found"
          className="min-w-64 flex-1"
        />
      </form>
    </li>
  );
}
