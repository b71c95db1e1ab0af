import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";

export type TToolCard = {
  seq: string;
  tool: string;
  args: unknown;
  status: "executed" | "denied" | "held" | "failed";
  step: string;
  explanation: string;
  policies: { id: string }[];
  result: unknown;
};

const BADGES = {
  executed: { tone: "success", label: "allowed" },
  denied: { tone: "danger", label: "denied" },
  held: { tone: "warning", label: "waiting for approval" },
  failed: { tone: "danger", label: "failed" },
} as const;

/** One tool call as the gate decided it: what was asked, the decision, and why. */
export function ToolCard({ card, traceHref, action }: { card: TToolCard; traceHref: string; action?: ReactNode }) {
  const badge = BADGES[card.status];
  return (
    <div className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="tool-card">
      <div className="flex items-center justify-between gap-2">
        <span className="font-mono text-xs font-semibold">{card.tool}</span>
        <Badge tone={badge.tone}>{badge.label}</Badge>
      </div>
      <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs text-slate-700">{JSON.stringify(card.args, null, 2)}</pre>
      <p className="mt-2 text-xs text-slate-600" data-testid="tool-explanation">
        <span className="font-medium">{card.status === "executed" ? "Why allowed" : card.status === "held" ? "Why held" : "Why"}</span> (
        {card.step}
        {card.policies.length ? `, ${card.policies.map((policy) => policy.id).join(", ")}` : ""}): {card.explanation}
      </p>
      <div className="mt-1 flex items-center justify-between gap-2">
        <Link href={traceHref} className="text-xs text-indigo-700 hover:underline">
          View trace →
        </Link>
        {action}
      </div>
    </div>
  );
}
