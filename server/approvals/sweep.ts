// The approvals sweep, run by the durable worker every minute for each tenant and
// idempotent: tier deadlines that passed (expireOverdue), and decisions a crash left
// before their call was claimed (finishDecided).
import { withTenant } from "@/server/db";
import { recordEvents } from "@/server/events/append";
import { applyTimeout } from "./chain";
import { advance, decideByPackIfAny, lockRequest, settle, stateOf, tiersOf } from "./service";

/** A decided request's settle normally follows within milliseconds; after this, a crash is assumed. */
export const UNFINISHED_AFTER_MS = 60_000;
/** Older unclaimed decisions are not run late by the sweep: an operator looks at them (stalled). */
export const FINISH_WITHIN_MS = 60 * 60_000;

/**
 * Timeouts: every pending request whose tier deadline has passed gets its tier's
 * timeout action, once (under the row lock, only if still at that tier and overdue).
 */
export async function expireOverdue(tenantId: string, now = new Date()): Promise<number> {
  const due = await withTenant(tenantId, (db) =>
    db.approvalRequest.findMany({ where: { tenantId, status: "pending", deadlineAt: { lte: now } }, select: { id: true }, take: 500 }),
  );
  let changed = 0;
  for (const { id } of due) {
    const step = await withTenant(tenantId, async (db) => {
      const request = await lockRequest(db, tenantId, id);
      if (request.status !== "pending" || !request.deadlineAt || request.deadlineAt > now) return null;
      const tiers = tiersOf(request);
      const state = applyTimeout(tiers, stateOf(request), now, request.deadlineAt);
      await advance(db, request, state, tiers, state.status === "pending" ? null : state.reason);
      return { request, state };
    });
    if (!step) continue;
    changed += 1;
    await recordEvents(tenantId, [
      {
        runId: step.request.runId,
        type: "approval.timed_out",
        eventClass: "approval",
        payload: { approvalRequestId: id, tier: step.request.tier, status: step.state.status },
      },
    ]);
    if (step.state.status !== "pending") await settle(tenantId, id);
    else await decideByPackIfAny(tenantId, id);
  }
  return changed;
}

/**
 * A decision whose call was never claimed (the process stopped between the vote and the
 * settle) is settled now: the approved call runs, a refused one tells the run. The claim
 * (executed_at) keeps it at most once even if a settle is still under way elsewhere. A
 * decision older than FINISH_WITHIN_MS is not run this late; nor is a claimed one that
 * never finished, which cannot be told from one whose call did run: both are listed for
 * operators (server/operator/approvals.ts).
 */
export async function finishDecided(tenantId: string, now = new Date()): Promise<number> {
  const unfinished = await withTenant(tenantId, (db) =>
    db.approvalRequest.findMany({
      where: {
        tenantId,
        status: { not: "pending" },
        executedAt: null,
        decidedAt: { lte: new Date(now.getTime() - UNFINISHED_AFTER_MS), gt: new Date(now.getTime() - FINISH_WITHIN_MS) },
      },
      select: { id: true },
      orderBy: { decidedAt: "asc" },
      take: 100,
    }),
  );
  for (const { id } of unfinished) await settle(tenantId, id);
  return unfinished.length;
}
