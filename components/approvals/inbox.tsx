"use client";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { errorMessage, useTRPC } from "@/components/trpc";
import { isSandboxDelivery } from "@/lib/tool-result";
import { Money } from "@/components/ui/money";
import { timeLeft, type TInboxItem } from "./format";
import { InboxFilters, type TInboxFilters } from "./inbox-filters";
import { RequestDetail } from "./request-detail";
import { usePrincipalLabel } from "./use-principals";

/** Keys typed into a field are text, not shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    target.isContentEditable
  );
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

type TVote = "approve" | "deny";

/** The approver's inbox: what waits for me, soonest deadline first, live. */
export function Inbox({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const principalLabel = usePrincipalLabel(tenantSlug);
  const now = useNow(15_000);
  const [filters, setFilters] = useState<TInboxFilters>({});
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [comment, setComment] = useState("");
  const [bulkComment, setBulkComment] = useState("");
  const commentRef = useRef<HTMLTextAreaElement | null>(null);

  // Live: someone else's decision removes an item within a few seconds, no reload needed.
  const inbox = useQuery(
    trpc.approval.inbox.queryOptions(
      { tenantSlug, ...filters },
      { refetchInterval: 3_000, refetchOnWindowFocus: "always", placeholderData: keepPreviousData },
    ),
  );
  const items = inbox.data ?? [];
  const selectedIndex = items.findIndex((item) => item.id === selectedId);
  const selected = selectedIndex >= 0 ? items[selectedIndex] : undefined;
  const detail = useQuery(
    trpc.approval.get.queryOptions(
      { tenantSlug, requestId: selected?.id ?? "" },
      { enabled: selected !== undefined, refetchInterval: 5_000 },
    ),
  );
  const checkedItems = items.filter((item) => checked.has(item.id));
  // decideMany takes up to 50 at a time; the rest stay checked for the next click.
  const batch = checkedItems.slice(0, 50);

  // The selected request left the inbox without our decision (someone else decided it, or it
  // timed out). The selection does not move on to another request by itself: a shortcut must
  // never decide something the approver has not looked at.
  const isSelectedGone = selectedId !== null && inbox.data !== undefined && selected === undefined;

  function select(id: string | null) {
    setSelectedId(id);
    setComment("");
    if (id) document.querySelector(`[data-request-id="${id}"]`)?.scrollIntoView({ block: "nearest" });
  }

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.approval.pathKey() });

  const decide = useMutation(
    trpc.approval.decide.mutationOptions({
      onSuccess: (result, input) => {
        toast.success(
          result.status === "approved"
            ? result.outcome?.status === "failed"
              ? `Approved, but the call failed: ${result.outcome.error}`
              : result.outcome?.status === "executed" && isSandboxDelivery(result.outcome.result)
                ? "Approved. It was delivered to the sandbox Outbox, not sent: the tenant has no credentials for the service."
                : "Approved."
            : result.status === "denied"
              ? "Denied. The requester sees your reason."
              : "Your approval is recorded; the request waits for more approvals.",
        );
        // After my own decision, move on to the next request (the one below, else the one above).
        const rest = items.filter((item) => item.id !== input.requestId);
        const index = items.findIndex((item) => item.id === input.requestId);
        const next = rest[Math.min(Math.max(index, 0), rest.length - 1)];
        select(next?.id ?? null);
      },
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void invalidate(),
    }),
  );
  const decideMany = useMutation(
    trpc.approval.decideMany.mutationOptions({
      onSuccess: (results) => {
        const failed = results.filter((result) => result.error !== null);
        const done = results.length - failed.length;
        if (done > 0) toast.success(`${done} request${done === 1 ? "" : "s"} decided.`);
        for (const result of failed) toast.error(`Not decided: ${result.error}`);
        const decided = new Set(results.filter((result) => result.error === null).map((result) => result.requestId));
        setChecked((current) => new Set([...current].filter((id) => !decided.has(id))));
        setBulkComment("");
      },
      onError: (error) => toast.error(errorMessage(error)),
      onSettled: () => void invalidate(),
    }),
  );

  function decideSelected(vote: TVote) {
    if (!selected || decide.isPending) return;
    decide.mutate({ tenantSlug, requestId: selected.id, vote, comment: comment.trim() || undefined });
  }

  // Shortcuts: j/k or ↓/↑ move, c writes a comment (Esc leaves it), a approves, d denies.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (isTyping(event.target) || event.metaKey || event.ctrlKey || event.altKey) return;
      const move = event.key === "j" || event.key === "ArrowDown" ? 1 : event.key === "k" || event.key === "ArrowUp" ? -1 : 0;
      if (move !== 0 && items.length > 0) {
        event.preventDefault();
        const from = selectedIndex < 0 ? (move > 0 ? -1 : items.length) : selectedIndex;
        const next = items[Math.min(Math.max(from + move, 0), items.length - 1)];
        if (next && next.id !== selectedId) select(next.id);
        return;
      }
      // Deciding needs the request's details on screen: the approver has seen what they decide.
      if (!selected || !detail.data || detail.data.id !== selected.id) return;
      if (event.key === "c") {
        event.preventDefault();
        commentRef.current?.focus();
      } else if (event.key === "a") decideSelected("approve");
      else if (event.key === "d") decideSelected("deny");
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  function toggle(id: string) {
    setChecked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const isAllChecked = items.length > 0 && checkedItems.length === items.length;

  return (
    <div className="space-y-4">
      <InboxFilters tools={[...new Set(items.map((item) => item.tool))].sort()} onApply={setFilters} />
      <p className="text-xs text-slate-500" data-testid="keyboard-hint">
        Keyboard: j/k (or ↓/↑) move, c comment (Esc to leave it), a approve, d deny. A decision takes the comment typed, if any.
      </p>
      {inbox.isPending ? (
        <Loading label="Loading your inbox…" />
      ) : inbox.isError && !inbox.data ? (
        <ErrorState message={errorMessage(inbox.error)} onRetry={() => void inbox.refetch()} />
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <Card>
            {inbox.isError ? <ErrorState message={`Could not refresh: ${errorMessage(inbox.error)}`} /> : null}
            {items.length === 0 ? (
              <EmptyState title="Nothing waits for you">
                {Object.keys(filters).some((key) => filters[key as keyof TInboxFilters] !== undefined)
                  ? "No pending request matches these filters."
                  : "Held tool calls you may decide appear here as soon as they are made."}
              </EmptyState>
            ) : (
              <>
                <div className="mb-3 flex flex-wrap items-center gap-2 border-b border-slate-100 pb-3">
                  <label className="flex items-center gap-2 text-sm text-slate-600">
                    <input
                      type="checkbox"
                      checked={isAllChecked}
                      onChange={() => setChecked(isAllChecked ? new Set() : new Set(items.map((item) => item.id)))}
                    />
                    Select all ({items.length})
                  </label>
                  {checkedItems.length > 0 ? (
                    <div className="flex flex-1 flex-wrap items-center gap-2" role="group" aria-label="Decide the selected requests">
                      <input
                        aria-label="Comment for the selected requests"
                        value={bulkComment}
                        onChange={(event) => setBulkComment(event.target.value)}
                        maxLength={2_000}
                        placeholder="Comment (optional)"
                        className="min-w-[10rem] flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm"
                      />
                      {(["approve", "deny"] as const).map((vote) => (
                        <Button
                          key={vote}
                          variant={vote === "approve" ? "primary" : "danger"}
                          isBusy={decideMany.isPending}
                          onClick={() =>
                            decideMany.mutate({
                              tenantSlug,
                              requestIds: batch.map((item) => item.id),
                              vote,
                              comment: bulkComment.trim() || undefined,
                            })
                          }
                        >
                          {vote === "approve" ? "Approve" : "Deny"} {batch.length}
                        </Button>
                      ))}
                    </div>
                  ) : null}
                </div>
                <ul aria-label="Pending requests" className="divide-y divide-slate-100">
                  {items.map((item) => (
                    <InboxRow
                      key={item.id}
                      item={item}
                      now={now}
                      isSelected={item.id === selectedId}
                      isChecked={checked.has(item.id)}
                      onSelect={() => select(item.id)}
                      onToggle={() => toggle(item.id)}
                      principalLabel={principalLabel}
                    />
                  ))}
                </ul>
              </>
            )}
          </Card>
          <Card>
            {isSelectedGone ? (
              <p role="status" className="mb-3 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
                That request is no longer waiting for you: someone else decided it, or its deadline passed. See History.
              </p>
            ) : null}
            {!selected ? (
              <p className="text-sm text-slate-500">Select a request to see its arguments, the policy that held it and the run’s trace.</p>
            ) : detail.isPending ? (
              <Loading label="Loading the request…" />
            ) : detail.isError ? (
              <ErrorState message={errorMessage(detail.error)} onRetry={() => void detail.refetch()} />
            ) : (
              <RequestDetail
                tenantSlug={tenantSlug}
                request={detail.data}
                comment={comment}
                onCommentChange={setComment}
                commentRef={commentRef}
                onDecide={decideSelected}
                isDeciding={decide.isPending}
                principalLabel={principalLabel}
              />
            )}
          </Card>
        </div>
      )}
    </div>
  );
}

type TRowProps = {
  item: TInboxItem;
  now: number;
  isSelected: boolean;
  isChecked: boolean;
  onSelect: () => void;
  onToggle: () => void;
  principalLabel: (principal: string) => string;
};

function InboxRow({ item, now, isSelected, isChecked, onSelect, onToggle, principalLabel }: TRowProps) {
  const left = timeLeft(item.deadlineAt, now);
  const title = `${item.tool}${item.counterparty ? ` to ${item.counterparty}` : ""}`;
  return (
    <li
      data-request-id={item.id}
      data-testid="approval-row"
      aria-current={isSelected ? "true" : undefined}
      className={cn("flex items-start gap-3 py-2", isSelected && "-mx-2 rounded-md bg-indigo-50 px-2")}
    >
      <input type="checkbox" className="mt-1.5" checked={isChecked} onChange={onToggle} aria-label={`Select ${title}`} />
      <button type="button" onClick={onSelect} className="min-w-0 flex-1 text-left" aria-label={`Open ${title}`}>
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <span className="font-mono text-sm font-semibold text-slate-900">{item.tool}</span>
          {item.amount !== null ? (
            <span className="rounded bg-amber-100 px-1.5 text-sm font-semibold text-amber-950">
              <Money minor={item.amount} currency={item.currency} />
            </span>
          ) : null}
          {item.counterparty ? (
            <span className="rounded bg-amber-100 px-1.5 text-sm font-semibold text-amber-950">{item.counterparty}</span>
          ) : null}
          <span className={cn("ml-auto text-xs", left.isOverdue ? "font-semibold text-red-600" : "text-slate-500")} data-testid="time-left">
            {left.label}
          </span>
        </div>
        <p className="mt-0.5 text-xs text-slate-500">
          {item.routeName ?? "default route"} · tier {item.tier + 1} of {item.tierCount}
          {item.tierName ? ` (${item.tierName})` : ""} · asked by {principalLabel(item.requestedBy)}
        </p>
      </button>
    </li>
  );
}
