import { Badge } from "@/components/ui/badge";
import type { TRunOutcome } from "@/server/runs/service";

/** How a run ended, in words: a Record, so a new outcome fails the typecheck here. */
const OUTCOMES: Record<TRunOutcome, { tone: "info" | "warning" | "success" | "danger" | "neutral"; label: string; title: string }> = {
  running: { tone: "info", label: "running", title: "The agent is working." },
  waiting_approval: { tone: "warning", label: "waiting for approval", title: "A call waits for its approvers." },
  answered: { tone: "neutral", label: "answered", title: "The agent answered without calling a tool." },
  done: { tone: "success", label: "done", title: "Every call it made was allowed and ran." },
  outbox: {
    tone: "warning",
    label: "in Outbox, not sent",
    title: "A call went to the sandbox Outbox: the tenant has no credentials for the service, nothing reached it.",
  },
  refused: { tone: "danger", label: "refused", title: "The gate refused a call." },
  approved: { tone: "success", label: "approved · done", title: "A held call was approved and ran." },
  approved_outbox: {
    tone: "warning",
    label: "approved · in Outbox",
    title: "A held call was approved and delivered to the sandbox Outbox, not sent: the tenant has no credentials for the service.",
  },
  denied: { tone: "danger", label: "denied", title: "An approver denied the held call; it did not run." },
  withdrawn: { tone: "neutral", label: "withdrawn", title: "The requester withdrew the held call; it did not run." },
  expired: { tone: "warning", label: "expired", title: "Nobody decided the held call in time; it did not run." },
  failed: { tone: "danger", label: "failed", title: "The run or its call failed." },
};

export function RunOutcomeBadge({ outcome }: { outcome: TRunOutcome }) {
  const shown = OUTCOMES[outcome];
  return (
    <span title={shown.title} data-testid="run-outcome">
      <Badge tone={shown.tone}>{shown.label}</Badge>
    </span>
  );
}
