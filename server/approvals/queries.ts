// The approvers' read side: the inbox (what I may decide now), history, and one
// request with its votes and the run's recent trace. Arguments and payloads are
// shown with anything that looks like a secret masked.
import { containsText, type TenantDb } from "@/server/db";
import { notFound } from "@/server/errors";
import { redactSecrets } from "@/server/events/redact";
import type { TGateDecision } from "@/server/gate/types";
import { eligibleFor, type TApprover } from "./chain";
import { requestOutcomeNote } from "./outcome";
import { earlierApprovers, tiersOf, toVote, votesOf, type TRequestRow } from "./request-state";

/** Pending requests this approver may decide now, soonest deadline first. */
export async function listInbox(
  db: TenantDb,
  tenantId: string,
  me: TApprover,
  filters: { tool?: string; safetyClass?: string; minAmount?: number; maxAmount?: number } = {},
) {
  const pending = await db.approvalRequest.findMany({
    where: {
      tenantId,
      status: "pending",
      ...(filters.tool ? { tool: filters.tool } : {}),
      ...(filters.safetyClass ? { safetyClass: filters.safetyClass } : {}),
      ...(filters.minAmount !== undefined || filters.maxAmount !== undefined
        ? {
            amount: {
              ...(filters.minAmount !== undefined ? { gte: BigInt(filters.minAmount) } : {}),
              ...(filters.maxAmount !== undefined ? { lte: BigInt(filters.maxAmount) } : {}),
            },
          }
        : {}),
    },
    orderBy: [{ deadlineAt: "asc" }, { createdAt: "asc" }],
    take: 500,
  });
  const votes = await db.approvalVote.findMany({ where: { tenantId, requestId: { in: pending.map((request) => request.id) } } });
  return pending
    .filter((request) => {
      const tier = tiersOf(request)[request.tier];
      if (!tier) return false;
      const mine = votes.filter((vote) => vote.requestId === request.id);
      if (mine.some((vote) => vote.tier === request.tier && vote.approver === me.principal)) return false;
      const context = { requester: request.requestedBy, earlierApprovers: earlierApprovers(mine.map(toVote), request.tier) };
      return eligibleFor(tier, me, context).isEligible;
    })
    .map(summary);
}

function summary(request: TRequestRow) {
  const tiers = tiersOf(request);
  return {
    id: request.id,
    runId: request.runId,
    tool: request.tool,
    args: redactSecrets(request.args),
    status: request.status,
    tier: request.tier,
    tierName: tiers[request.tier]?.name ?? null,
    tierCount: tiers.length,
    routeName: request.routeName,
    safetyClass: request.safetyClass,
    amount: request.amount === null ? null : Number(request.amount),
    currency: request.currency,
    counterparty: request.counterparty,
    tags: request.tags,
    explanation: (request.decision as TGateDecision).explanation ?? "",
    requestedBy: request.requestedBy,
    deadlineAt: request.deadlineAt,
    createdAt: request.createdAt,
    decidedAt: request.decidedAt,
    comment: request.comment,
    outcomeNote: requestOutcomeNote(request.status, request.outcome),
  };
}

export type TInboxItem = ReturnType<typeof summary>;

/** Decided requests, newest first, searchable by tool, requester, comment or counterparty. */
export async function listHistory(db: TenantDb, tenantId: string, filters: { query?: string; limit: number }) {
  const query = filters.query?.trim();
  const rows = await db.approvalRequest.findMany({
    where: {
      tenantId,
      status: { not: "pending" },
      ...(query
        ? {
            OR: [
              { tool: containsText(query) },
              { requestedBy: containsText(query) },
              { comment: containsText(query) },
              { counterparty: containsText(query) },
            ],
          }
        : {}),
    },
    orderBy: [{ decidedAt: "desc" }, { createdAt: "desc" }],
    take: filters.limit,
  });
  return rows.map(summary);
}

/** One request with its votes, the run's recent trace and taint. */
export async function getRequest(db: TenantDb, tenantId: string, requestId: string) {
  const request = await db.approvalRequest.findFirst({ where: { id: requestId, tenantId } });
  if (!request) throw notFound("Approval request");
  const [votes, run, events] = await Promise.all([
    votesOf(db, tenantId, requestId),
    db.run.findFirst({ where: { id: request.runId, tenantId } }),
    db.event.findMany({ where: { tenantId, runId: request.runId }, orderBy: { seq: "desc" }, take: 20 }),
  ]);
  return {
    ...summary(request),
    tiers: tiersOf(request),
    votes,
    run: run ? { id: run.id, title: run.title, isTainted: run.isTainted, status: run.status, principal: run.principal } : null,
    trace: events.reverse().map((event) => ({
      seq: event.seq.toString(),
      type: event.type,
      createdAt: event.createdAt,
      payload: redactSecrets(JSON.parse(event.payload) as unknown),
    })),
  };
}
