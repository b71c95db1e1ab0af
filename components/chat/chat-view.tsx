"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent, type KeyboardEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { usePrincipalLabel } from "@/components/approvals/use-principals";
import { ToolCard, type TToolCard } from "./tool-card";

export function ChatView({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const selected = params.get("c");
  const conversations = useQuery(trpc.conversation.list.queryOptions({ tenantSlug }));
  const create = useMutation(
    trpc.conversation.create.mutationOptions({
      onSuccess: (conversation) => {
        void queryClient.invalidateQueries({ queryKey: trpc.conversation.list.queryKey({ tenantSlug }) });
        router.push(`${pathname}?c=${conversation.id}`);
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-[16rem_1fr]">
      <aside className="space-y-2">
        <Button className="w-full" isBusy={create.isPending} onClick={() => create.mutate({ tenantSlug })}>
          New conversation
        </Button>
        {conversations.isPending ? <Loading /> : null}
        {conversations.isError ? (
          <ErrorState message={errorMessage(conversations.error)} onRetry={() => void conversations.refetch()} />
        ) : null}
        <ul aria-label="Conversations" className="space-y-1">
          {conversations.data?.map((conversation) => (
            <li key={conversation.id}>
              <button
                type="button"
                onClick={() => router.push(`${pathname}?c=${conversation.id}`)}
                className={cn(
                  "w-full truncate rounded-md px-3 py-2 text-left text-sm",
                  conversation.id === selected ? "bg-indigo-50 text-indigo-800" : "hover:bg-slate-100",
                )}
              >
                {conversation.title}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {selected ? (
        <Conversation key={selected} tenantSlug={tenantSlug} conversationId={selected} />
      ) : (
        <EmptyState title="Start a conversation">
          Ask the agent to remember something, run a command or make a transfer: every tool call passes the Tool Policy Gate.
        </EmptyState>
      )}
    </div>
  );
}

/** Run statuses after which a turn no longer changes. */
const TURN_OVER = new Set(["completed", "failed"]);

function Conversation({ tenantSlug, conversationId }: { tenantSlug: string; conversationId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState("");
  const [pending, setPending] = useState<string | null>(null);
  const principalLabel = usePrincipalLabel(tenantSlug);
  const conversation = useQuery(
    trpc.conversation.get.queryOptions(
      { tenantSlug, conversationId },
      {
        // While the agent works, show each call as the gate records it; while a turn is not
        // over (it waits for approval, or runs in another tab), keep watching for its end.
        refetchInterval: (query) =>
          pending !== null ? 1_000 : query.state.data?.turns.some((turn) => !TURN_OVER.has(turn.status)) ? 3_000 : false,
      },
    ),
  );
  const send = useMutation(
    trpc.conversation.send.mutationOptions({
      onSettled: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.conversation.get.queryKey({ tenantSlug, conversationId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.conversation.list.queryKey({ tenantSlug }) });
        setPending(null);
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const message = draft.trim();
    if (!message || send.isPending) return;
    setPending(message);
    setDraft("");
    send.mutate({ tenantSlug, conversationId, message });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey) submit(event);
  }

  if (conversation.isPending) return <Loading label="Loading the conversation…" />;
  if (conversation.isError) return <ErrorState message={errorMessage(conversation.error)} onRetry={() => void conversation.refetch()} />;
  const { turns, planner, isScripted } = conversation.data;
  // Once the run of the message being sent shows up, it replaces the placeholder.
  const isRunVisible = pending !== null && turns.some((turn) => turn.status === "running" && turn.userMessage === pending);

  return (
    <section className="flex min-h-[32rem] flex-col rounded-lg border border-slate-200 bg-white">
      <div className="border-b border-slate-100 px-4 py-2 text-xs text-slate-500">
        Planner: <span data-testid="planner-label">{planner}</span>
        {isScripted ? <span> · the offline demo; an admin can choose a model in Settings → Model.</span> : null}
      </div>
      <ol className="flex-1 space-y-6 p-4" aria-label="Messages">
        {turns.length === 0 && !pending ? <li className="text-sm text-slate-500">No messages yet.</li> : null}
        {turns.map((turn) => (
          <li key={turn.runId} className="space-y-3">
            <p className="ml-auto w-fit max-w-[80%] rounded-lg bg-indigo-600 px-3 py-2 text-sm text-white">{turn.userMessage}</p>
            {turn.tools.map((card) => (
              <ToolCard
                key={card.seq}
                card={card as TToolCard}
                traceHref={`/t/${tenantSlug}/runs/${turn.runId}`}
                outboxHref={`/t/${tenantSlug}/outbox`}
                principalLabel={principalLabel}
                action={
                  turn.status === "waiting_approval" &&
                  card.status === "held" &&
                  card.approval?.status === "pending" &&
                  card.approvalRequestId ? (
                    <WithdrawButton tenantSlug={tenantSlug} conversationId={conversationId} requestId={card.approvalRequestId} />
                  ) : null
                }
              />
            ))}
            {turn.reply ? (
              <div className="space-y-1">
                <p className="w-fit max-w-[80%] rounded-lg bg-slate-100 px-3 py-2 text-sm text-slate-800" data-testid="agent-reply">
                  {turn.reply}
                </p>
                {turn.planner !== "scripted" ? (
                  <p className="text-xs text-slate-400" data-testid="turn-usage">
                    {turn.planner} · {turn.inputTokens.toLocaleString()} input / {turn.outputTokens.toLocaleString()} output tokens
                  </p>
                ) : null}
              </div>
            ) : turn.status === "running" ? (
              <Loading label="The agent is working…" />
            ) : null}
          </li>
        ))}
        {pending && !isRunVisible ? (
          <li className="space-y-3">
            <p className="ml-auto w-fit max-w-[80%] rounded-lg bg-indigo-400 px-3 py-2 text-sm text-white">{pending}</p>
            <Loading label="The agent is working…" />
          </li>
        ) : null}
      </ol>
      <form onSubmit={submit} className="flex gap-2 border-t border-slate-100 p-3">
        <textarea
          aria-label="Message"
          className="min-h-[2.5rem] flex-1 resize-none rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none"
          placeholder='Try "remember that the launch is on Friday" or "run rm -rf /"'
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          maxLength={4000}
        />
        <Button type="submit" isBusy={send.isPending} disabled={!draft.trim()}>
          Send
        </Button>
      </form>
    </section>
  );
}

/** The asker takes back a call that waits for approval: it never runs, and approvers stop seeing it. */
function WithdrawButton({ tenantSlug, conversationId, requestId }: { tenantSlug: string; conversationId: string; requestId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.approval.cancel.mutationOptions({
      onSuccess: () => toast.success("Request withdrawn. The call will not run."),
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.conversation.get.queryKey({ tenantSlug, conversationId }) }),
    }),
  );
  return (
    <Button
      variant="secondary"
      className="px-2 py-1 text-xs"
      isBusy={cancel.isPending}
      onClick={() => {
        if (window.confirm("Withdraw this request? The call will not run; you can ask again later."))
          cancel.mutate({ tenantSlug, requestId });
      }}
    >
      Withdraw request
    </Button>
  );
}
