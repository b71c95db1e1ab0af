// A request's state as the chain sees it: its tiers (as routed), its status, its
// votes. Shared by the decisions (service.ts) and the read side (queries.ts).
import type { TenantDb } from "@/server/db";
import { DEFAULT_WORKFLOW, ZTier, type TApprovalVote, type TChainState, type TTier } from "./types";

export type TRequestRow = Awaited<ReturnType<TenantDb["approvalRequest"]["findFirstOrThrow"]>>;

/** The tiers a request was routed to (requests made before routing fall back to the default route). */
export function tiersOf(request: { tiers: unknown }): TTier[] {
  const parsed = ZTier.array().safeParse(request.tiers);
  return parsed.success && parsed.data.length > 0 ? parsed.data : DEFAULT_WORKFLOW.defaultRoute.tiers;
}

export function stateOf(request: TRequestRow): TChainState {
  if (request.status === "pending") return { status: "pending", tier: request.tier };
  const status = request.status === "cancelled" ? "denied" : request.status;
  return { status, tier: request.tier, reason: request.comment ?? request.status };
}

export async function votesOf(db: TenantDb, tenantId: string, requestId: string): Promise<(TApprovalVote & { comment: string | null })[]> {
  const rows = await db.approvalVote.findMany({ where: { tenantId, requestId }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => ({
    tier: row.tier,
    approver: row.approver,
    vote: row.vote as "approve" | "deny",
    at: row.createdAt,
    comment: row.comment,
  }));
}

export function earlierApprovers(votes: TApprovalVote[], tier: number): string[] {
  return votes.filter((vote) => vote.tier < tier).map((vote) => vote.approver);
}

export function toVote(row: { tier: number; approver: string; vote: string; createdAt: Date }): TApprovalVote {
  return { tier: row.tier, approver: row.approver, vote: row.vote as "approve" | "deny", at: row.createdAt };
}
