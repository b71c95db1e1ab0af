// What a decided request came to, in words: the run's reply, its outcome in the run
// list and the line a "decided" notification carries. An approved call that only
// reached the sandbox Outbox (no credentials) is never called sent or done.
import { formatMoney, moneyOf } from "@/lib/money";
import { isSandboxDelivery, OUTBOX_PHRASE, resultSummary } from "@/lib/tool-result";
import type { TRunOutcome } from "@/server/runs/service";
import type { TGateOutcome } from "@/server/gate/types";

/** The reply for an approved call that ran: what it returned, and plainly when it only reached the sandbox Outbox. */
export function approvedReply(tool: string, args: unknown, result: unknown): string {
  const money = moneyOf(args);
  const what = money ? `${tool} of ${formatMoney(money.amount, money.currency)}` : tool;
  if (isSandboxDelivery(result))
    return `${what} was approved and ${OUTBOX_PHRASE}: this tenant has no credentials for the service, so nothing reached it.`;
  return `${what} was approved and ran. ${resultSummary(tool, args, result)}`;
}

/** How a held call's run ended, for the run list (server/runs/service.ts). */
export function heldRunOutcome(status: string, outcome: TGateOutcome | null): TRunOutcome {
  if (!outcome) return status === "cancelled" ? "withdrawn" : status === "expired" ? "expired" : "denied";
  if (outcome.status === "failed") return "failed";
  if (outcome.status !== "executed") return "refused";
  return isSandboxDelivery(outcome.result) ? "approved_outbox" : "approved";
}

/** The outcome line of a "decided" notification. */
export function notificationOutcome(status: string, outcome: TGateOutcome | null): string {
  if (!outcome) return status === "cancelled" ? "withdrawn; the call did not run" : `${status}; the call did not run`;
  if (outcome.status === "failed") return `approved, but the call failed: ${outcome.error}`;
  if (outcome.status !== "executed") return `approved, but not run: ${outcome.decision.explanation}`;
  return isSandboxDelivery(outcome.result)
    ? `approved and ${OUTBOX_PHRASE} (no credentials for the service)`
    : "approved and sent to the service";
}

/** What became of a decided request's call, as stored by settle: for the inbox history. */
export function requestOutcomeNote(status: string, outcome: unknown): string | null {
  if (status !== "approved") return null;
  const recorded = outcome as { status?: unknown; explanation?: unknown; delivered?: unknown } | null;
  if (!recorded || typeof recorded !== "object") return "not run yet";
  if (recorded.delivered === "sandbox_outbox") return OUTBOX_PHRASE;
  if (recorded.status === "executed") return "ran";
  if (recorded.status === "failed") return "the call failed";
  return `not run: ${typeof recorded.explanation === "string" ? recorded.explanation : "refused"}`;
}
