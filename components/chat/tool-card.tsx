import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { isSandboxDelivery } from "@/lib/tool-result";
import type { TChatApproval } from "@/server/agent/chat";
import { ToolArguments, ToolResult } from "./tool-result";

export type TToolCard = {
  seq: string;
  tool: string;
  args: unknown;
  status: "executed" | "denied" | "held" | "failed";
  step: string;
  explanation: string;
  policies: { id: string }[];
  approval: TChatApproval | null;
  result: unknown;
};

type TTone = "success" | "danger" | "warning" | "info" | "neutral";

/** The badge a card wears: the gate's decision, and for a held call what its approvers made of it. */
export function cardBadge(card: Pick<TToolCard, "status" | "approval" | "result">): { tone: TTone; label: string } {
  const isOutbox = card.status === "executed" && isSandboxDelivery(card.result);
  const approval = card.approval?.status;
  if (card.status === "held") {
    if (approval === "denied") return { tone: "danger", label: "denied" };
    if (approval === "cancelled") return { tone: "neutral", label: "withdrawn" };
    if (approval === "expired") return { tone: "warning", label: "expired" };
    if (approval === "approved") return { tone: "info", label: "approved · running" };
    return { tone: "warning", label: "waiting for approval" };
  }
  if (card.status === "executed") {
    if (approval === "approved")
      return isOutbox ? { tone: "warning", label: "approved · in Outbox" } : { tone: "success", label: "approved · done" };
    return isOutbox ? { tone: "warning", label: "in Outbox, not sent" } : { tone: "success", label: "allowed" };
  }
  if (card.status === "failed") return { tone: "danger", label: approval === "approved" ? "approved · failed" : "failed" };
  return { tone: "danger", label: approval === "approved" ? "approved · not run" : "denied" };
}

const DECIDED = { approved: "Approved", denied: "Denied", cancelled: "Withdrawn", expired: "Not decided in time" } as const;

/** One tool call as the gate decided it: what was asked, the decision and why, who decided a held call, and what it returned. */
export function ToolCard({
  card,
  traceHref,
  outboxHref,
  principalLabel,
  action,
}: {
  card: TToolCard;
  traceHref: string;
  outboxHref: string;
  principalLabel: (principal: string) => string;
  action?: ReactNode;
}) {
  const badge = cardBadge(card);
  const approval = card.approval;
  const isOutbox = card.status === "executed" && isSandboxDelivery(card.result);
  const hasResult = card.status === "executed" || card.status === "failed";
  return (
    <div className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="tool-card" data-status={badge.label}>
      <div className="flex items-center justify-between gap-2">
        <span className="font-mono text-xs font-semibold">{card.tool}</span>
        <Badge tone={badge.tone}>
          <span data-testid="tool-status">{badge.label}</span>
        </Badge>
      </div>
      <ToolArguments args={card.args} />
      <p className="mt-2 text-xs text-slate-600" data-testid="tool-explanation">
        <span className="font-medium">{card.status === "executed" ? "Why allowed" : card.status === "held" ? "Why held" : "Why"}</span> (
        {card.step}
        {card.policies.length ? `, ${card.policies.map((policy) => policy.id).join(", ")}` : ""}): {card.explanation}
      </p>
      {approval && approval.status !== "pending" ? (
        <p className="mt-1 text-xs text-slate-700" data-testid="approval-decision">
          <span className="font-medium">{DECIDED[approval.status]}</span>
          {approval.decidedBy.length ? ` by ${approval.decidedBy.map(principalLabel).join(", ")}` : ""}
          {approval.comment ? `: ${approval.comment}` : ""}
        </p>
      ) : null}
      {isOutbox ? (
        <p className="mt-2 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="outbox-notice">
          Delivered to the sandbox{" "}
          <Link href={outboxHref} className="underline">
            Outbox
          </Link>
          , not sent: this tenant has no credentials for the service, so nothing reached it.
        </p>
      ) : null}
      {hasResult ? <ToolResult result={card.result} /> : null}
      <div className="mt-1 flex items-center justify-between gap-2">
        <Link href={traceHref} className="text-xs text-indigo-700 hover:underline">
          View trace →
        </Link>
        {action}
      </div>
    </div>
  );
}
