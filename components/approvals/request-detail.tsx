"use client";
import { format } from "date-fns";
import Link from "next/link";
import type { RefObject } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Money } from "@/components/ui/money";
import { moneyOf } from "@/lib/money";
import { argumentText, safetyClassLabel, shortPayload, type TRequestDetail } from "./format";

type TProps = {
  tenantSlug: string;
  request: TRequestDetail;
  comment: string;
  onCommentChange: (comment: string) => void;
  commentRef: RefObject<HTMLTextAreaElement | null>;
  onDecide: (vote: "approve" | "deny") => void;
  isDeciding: boolean;
  principalLabel: (principal: string) => string;
};

/** Everything an approver needs to decide one held call, and the decision itself. */
export function RequestDetail({ tenantSlug, request, comment, onCommentChange, commentRef, onDecide, isDeciding, principalLabel }: TProps) {
  const isPending = request.status === "pending";

  return (
    <section aria-label="Request details" className="space-y-5 text-sm" data-testid="approval-detail">
      <header className="space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="font-mono text-base font-semibold text-slate-900">{request.tool}</h2>
          <Badge tone={request.safetyClass === "financial" || request.safetyClass === "destructive" ? "warning" : "neutral"}>
            {safetyClassLabel(request.safetyClass)}
          </Badge>
          {!isPending ? <Badge tone={request.status === "approved" ? "success" : "danger"}>{request.status}</Badge> : null}
        </div>
        <p className="text-slate-500">
          Asked by {principalLabel(request.requestedBy)} on {format(request.createdAt, "yyyy-MM-dd HH:mm")}
          {request.routeName ? ` · route “${request.routeName}”` : ""}
        </p>
      </header>

      <Highlights request={request} />

      {request.explanation ? (
        <div>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Why it was held</h3>
          <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="approval-explanation">
            {request.explanation}
          </p>
        </div>
      ) : null}

      <div>
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Arguments</h3>
        <Arguments args={request.args} />
      </div>

      <div className="flex flex-wrap items-center gap-2">
        <span className="text-xs font-semibold uppercase tracking-wide text-slate-500">Run</span>
        {request.run?.isTainted ? (
          <Badge tone="danger">this run read untrusted content</Badge>
        ) : (
          <Badge tone="neutral">no untrusted content read</Badge>
        )}
        <Link href={`/t/${tenantSlug}/runs/${request.runId}`} className="text-indigo-700 hover:underline">
          Open the run →
        </Link>
      </div>

      <Chain request={request} principalLabel={principalLabel} />

      <div>
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Recent trace</h3>
        {request.trace.length === 0 ? (
          <p className="text-slate-500">No events recorded for this run.</p>
        ) : (
          <ol aria-label="Recent trace" className="max-h-56 space-y-1 overflow-y-auto rounded-md border border-slate-100 p-2">
            {request.trace.map((event) => (
              <li key={event.seq} className="flex gap-2 text-xs">
                <span className="shrink-0 font-mono font-medium text-slate-700">{event.type}</span>
                <span className="truncate font-mono text-slate-500" title={shortPayload(event.payload, 2_000)}>
                  {shortPayload(event.payload)}
                </span>
              </li>
            ))}
          </ol>
        )}
      </div>

      {isPending ? (
        <div className="space-y-2 border-t border-slate-100 pt-4">
          <label htmlFor="approval-comment" className="block text-sm font-medium text-slate-700">
            Comment (optional; the requester sees it)
          </label>
          <textarea
            id="approval-comment"
            ref={commentRef}
            value={comment}
            maxLength={2_000}
            onChange={(event) => onCommentChange(event.target.value)}
            onKeyDown={(event) => {
              // Esc hands the keyboard back to the shortcuts.
              if (event.key === "Escape") event.currentTarget.blur();
            }}
            className="min-h-[4rem] w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none"
            placeholder="Why you approve or deny"
          />
          <div className="flex gap-2">
            <Button onClick={() => onDecide("approve")} isBusy={isDeciding}>
              Approve
            </Button>
            <Button variant="danger" onClick={() => onDecide("deny")} isBusy={isDeciding}>
              Deny
            </Button>
          </div>
        </div>
      ) : (
        <p className="border-t border-slate-100 pt-4 text-slate-600">
          Decided{request.decidedAt ? ` on ${format(request.decidedAt, "yyyy-MM-dd HH:mm")}` : ""}
          {request.comment ? `: ${request.comment}` : "."}
        </p>
      )}
    </section>
  );
}

function Highlights({ request }: { request: TRequestDetail }) {
  if (request.amount === null && !request.counterparty) return null;
  return (
    <div className="flex flex-wrap gap-3" data-testid="approval-highlights">
      {request.amount !== null ? (
        <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2">
          <p className="text-xs text-amber-800">Amount</p>
          <p className="text-lg font-semibold text-amber-950">
            <Money minor={request.amount} currency={request.currency} />
          </p>
        </div>
      ) : null}
      {request.counterparty ? (
        <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2">
          <p className="text-xs text-amber-800">Counterparty</p>
          <p className="text-lg font-semibold text-amber-950">{request.counterparty}</p>
        </div>
      ) : null}
    </div>
  );
}

function Arguments({ args }: { args: unknown }) {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    return <pre className="overflow-x-auto rounded-md bg-slate-50 p-2 text-xs">{argumentText(args).text}</pre>;
  }
  const entries = Object.entries(args as Record<string, unknown>);
  if (entries.length === 0) return <p className="text-slate-500">No arguments.</p>;
  const money = moneyOf(args);
  return (
    <dl className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-4 gap-y-1" aria-label="Arguments">
      {entries.map(([key, value]) => {
        const { text, isBlock } = argumentText(value);
        const isKey = key === "amount" || key === "counterparty" || key === "currency";
        return (
          <div key={key} className="contents">
            <dt className="font-mono text-xs text-slate-500">{key}</dt>
            <dd className={cn("min-w-0", isKey && "font-semibold text-amber-900")}>
              {key === "amount" && money ? (
                <Money minor={money.amount} currency={money.currency} className="font-mono text-xs" />
              ) : isBlock ? (
                <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs text-slate-700">{text}</pre>
              ) : (
                <span className="break-words font-mono text-xs">{text}</span>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function Chain({ request, principalLabel }: { request: TRequestDetail; principalLabel: (principal: string) => string }) {
  return (
    <div>
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
        Tiers{request.status === "pending" ? ` · now tier ${request.tier + 1} of ${request.tierCount}` : ""}
      </h3>
      <ol className="space-y-1">
        {request.tiers.map((tier, index) => (
          <li
            key={`${index}-${tier.name}`}
            className={cn("text-slate-700", index === request.tier && request.status === "pending" && "font-semibold")}
          >
            {index + 1}. {tier.name} · {tier.quorum} approval{tier.quorum === 1 ? "" : "s"} · {tier.slaMinutes} min, then {tier.onTimeout}
          </li>
        ))}
      </ol>
      <h3 className="mb-1 mt-3 text-xs font-semibold uppercase tracking-wide text-slate-500">Votes</h3>
      {request.votes.length === 0 ? (
        <p className="text-slate-500">No votes yet.</p>
      ) : (
        <ul aria-label="Votes" className="space-y-1">
          {request.votes.map((vote) => (
            <li key={`${vote.tier}-${vote.approver}`} className="flex flex-wrap items-center gap-2">
              <Badge tone={vote.vote === "approve" ? "success" : "danger"}>{vote.vote === "approve" ? "approved" : "denied"}</Badge>
              <span>{principalLabel(vote.approver)}</span>
              <span className="text-xs text-slate-500">
                tier {vote.tier + 1} · {format(vote.at, "yyyy-MM-dd HH:mm")}
              </span>
              {vote.comment ? <span className="text-slate-600">“{vote.comment}”</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
