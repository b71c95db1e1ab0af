// Deciding held calls. A vote is taken under a row lock on its request, so any
// number of approvers clicking at once produce one outcome; an approved call is
// claimed for execution once (executed_at) and runs through the gate's remaining
// steps; a denied one gives the agent the reason. Timeouts and decisions a crash left
// unfinished are the sweep's (sweep.ts).
import { isSandboxDelivery } from "@/lib/tool-result";
import { type Prisma, type TenantDb, withTenant } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { appendEvents, recordEvents } from "@/server/events/append";
import { executeApprovedCall } from "@/server/gate/pipeline";
import { parsePrincipal, principalId } from "@/server/principals";
import { isUuid } from "@/server/validation";
import type { TGateDecision, TGateOutcome } from "@/server/gate/types";
import {
  compileComposition,
  decide,
  PolicyCompileError,
  type TPackSource,
  type TPolicyDecision,
  type TPolicyRequest,
  type TPrincipal,
} from "@/server/policy/evaluate";
import { packSource } from "@/server/policy/packs";
import type { TSafetyClass } from "@/server/policy/schema";
import { enqueueApprovalNotifications, requestSummary } from "./notify";
import { approvedReply, heldRunOutcome, notificationOutcome } from "./outcome";
import { applyVote, deadlineFor, eligibleFor, warningAt, type TApprover } from "./chain";
import { earlierApprovers, stateOf, tiersOf, votesOf, type TRequestRow } from "./request-state";
import type { TChainState, TTier } from "./types";

export type { TApprover } from "./chain";
export { stateOf, tiersOf } from "./request-state";
type TVoteResult = { status: TChainState["status"]; tier: number; outcome: TGateOutcome | null; isNewVote: boolean };

/**
 * The request, under a row lock held to the end of the transaction: votes, withdrawals
 * and the timeout sweep all take it, so only one of them can decide the request.
 */
export async function lockRequest(db: TenantDb, tenantId: string, requestId: string): Promise<TRequestRow> {
  const locked = await db.$queryRaw<
    { id: string }[]
  >`SELECT id FROM approval_requests WHERE id = ${requestId}::uuid AND tenant_id = ${tenantId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw notFound("Approval request");
  return db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } });
}

/**
 * One approver's vote. Serialized per request (row lock), idempotent per approver and
 * tier, final once the request is decided. An approval that completes the chain
 * executes the call once; a denial tells the run why.
 */
export async function voteOnRequest(
  tenantId: string,
  requestId: string,
  who: TApprover,
  vote: "approve" | "deny",
  comment: string | null,
): Promise<TVoteResult> {
  const step = await withTenant(tenantId, async (db) => {
    const request = await lockRequest(db, tenantId, requestId);
    const votes = await votesOf(db, tenantId, requestId);
    const tiers = tiersOf(request);
    const before = stateOf(request);
    const cast = { tier: request.tier, approver: who.principal, vote, at: new Date() };
    const context = { requester: request.requestedBy, role: who.role, ...(request.deadlineAt ? { deadline: request.deadlineAt } : {}) };
    const tier = tiers[request.tier];
    const isRepeat = votes.some((earlier) => earlier.tier === request.tier && earlier.approver === who.principal);
    // Not an approver of this tier: FORBIDDEN (other refusals, e.g. already decided, are CONFLICT).
    if (before.status === "pending" && tier && !isRepeat) {
      const eligible = eligibleFor(tier, who, { requester: request.requestedBy, earlierApprovers: earlierApprovers(votes, request.tier) });
      if (!eligible.isEligible) throw new AppError("FORBIDDEN", eligible.reason);
    }
    const applied = applyVote(tiers, before, votes, cast, context);
    if (!applied.accepted) throw new AppError("CONFLICT", applied.reason ?? "This vote cannot be taken.");
    if (applied.isDuplicate) return { request, state: before, isNewVote: false, finished: false };
    await db.approvalVote.create({ data: { tenantId, requestId, tier: request.tier, approver: who.principal, vote, comment } });
    const state = applied.state;
    await advance(db, request, state, tiers, comment ?? (state.status === "pending" ? null : state.reason));
    return { request, state, isNewVote: true, finished: state.status !== "pending" };
  });
  if (step.isNewVote)
    await recordEvents(tenantId, [
      {
        runId: step.request.runId,
        type: "approval.decided",
        eventClass: "approval",
        payload: {
          approvalRequestId: requestId,
          approver: who.principal,
          vote,
          comment,
          tier: step.request.tier,
          status: step.state.status,
        },
      },
    ]);
  const outcome = step.finished ? await settle(tenantId, requestId) : null;
  if (step.state.status === "pending" && step.state.tier !== step.request.tier) await decideByPackIfAny(tenantId, requestId);
  return { status: step.state.status, tier: step.state.tier, outcome, isNewVote: step.isNewVote };
}

/** Store the chain's new state on the request (and the next tier's deadline). */
export async function advance(
  db: TenantDb,
  request: TRequestRow,
  state: TChainState,
  tiers: TTier[],
  reason: string | null,
): Promise<void> {
  const now = new Date();
  const data: Prisma.ApprovalRequestUpdateInput =
    state.status === "pending"
      ? state.tier === request.tier
        ? {}
        : {
            tier: state.tier,
            tierStartedAt: now,
            deadlineAt: tiers[state.tier] ? deadlineFor(tiers[state.tier] as TTier, now) : now,
            warnAt: tiers[state.tier] ? warningAt(tiers[state.tier] as TTier, now) : null,
            warnedAt: null,
          }
      : { status: state.status, tier: state.tier, decidedAt: now, comment: reason };
  if (Object.keys(data).length > 0) await db.approvalRequest.update({ where: { id: request.id }, data });
  if (state.status !== "pending")
    await enqueueApprovalNotifications(db, request.tenantId, {
      requestId: request.id,
      kind: "decided",
      summary: requestSummary(request, state.status),
    });
  else if (state.tier !== request.tier && "deadlineAt" in data)
    // Escalated: the next tier's approvers are told, with their own deadline.
    await enqueueApprovalNotifications(db, request.tenantId, {
      requestId: request.id,
      kind: "requested",
      summary: { ...requestSummary(request), deadlineAt: data.deadlineAt as Date },
    });
}

/** "user:<id>" or "agent:<id>" (agent ids may contain colons: "agent:whatsapp:+1555…"). */
function principalOf(label: string): TPrincipal {
  const stored = parsePrincipal(label);
  // The role is filled in where policy will see it (withCurrentRole).
  if (stored.kind === "user") return { type: "User", id: stored.id, role: "viewer" };
  // The gate stores "user:" or "agent:" only; an agent's id keeps its colons.
  return { type: "Agent", id: stored.kind === "agent" ? stored.id : label.slice(label.indexOf(":") + 1) };
}

/**
 * The requester as policy sees them when an approved call runs: their role now. Someone
 * who has left counts as a viewer, whom no pack lets call tools: the call does not run.
 */
async function withCurrentRole(tenantId: string, principal: TPrincipal): Promise<TPrincipal> {
  if (principal.type !== "User") return principal;
  if (!isUuid(principal.id)) return { ...principal, role: "viewer" };
  const membership = await withTenant(tenantId, (db) =>
    db.membership.findFirst({ where: { tenantId, userId: principal.id }, select: { role: true } }),
  );
  return { ...principal, role: membership?.role ?? "viewer" };
}

/** A decided request: run the approved call once, or tell the run it was refused. */
export async function settle(tenantId: string, requestId: string): Promise<TGateOutcome | null> {
  const claimed = await withTenant(tenantId, async (db) => {
    const request = await db.approvalRequest.findFirst({ where: { id: requestId, tenantId } });
    if (!request || request.status === "pending") return null;
    // Exactly once: only the first to set executed_at goes on.
    const { count } = await db.approvalRequest.updateMany({
      where: { id: requestId, tenantId, executedAt: null },
      data: { executedAt: new Date() },
    });
    return count === 1 ? request : null;
  });
  if (!claimed) return null;
  const decision = claimed.decision as TGateDecision;
  let outcome: TGateOutcome | null = null;
  let reply: string;
  if (claimed.status === "approved") {
    outcome = await executeApprovedCall(
      {
        tenantId,
        runId: claimed.runId,
        tool: claimed.tool,
        args: claimed.args,
        digest: claimed.digest,
        principal: await withCurrentRole(tenantId, principalOf(claimed.requestedBy)),
      },
      {
        effect: "allow",
        step: "execute",
        explanation: `Approved: ${claimed.comment ?? "approved"}`,
        policies: decision.policies,
        tags: decision.tags,
      },
    );
    reply =
      outcome.status === "executed"
        ? approvedReply(claimed.tool, claimed.args, outcome.result)
        : outcome.status === "failed"
          ? `${claimed.tool} was approved but failed: ${outcome.error}`
          : `${claimed.tool} was approved but not run: ${outcome.decision.explanation}`;
  } else {
    const ended = { expired: "not decided in time", cancelled: "withdrawn", denied: "refused" } as const;
    reply = `${claimed.tool} was ${ended[claimed.status as keyof typeof ended] ?? "refused"}: ${claimed.comment ?? claimed.status}`;
  }
  // One transaction: a reader that sees the run over also sees its reply (the chat stops
  // watching a turn once its run is over).
  const isOutbox = outcome?.status === "executed" && isSandboxDelivery(outcome.result);
  const recorded = outcome
    ? { status: outcome.status, explanation: outcome.decision.explanation, ...(isOutbox ? { delivered: "sandbox_outbox" } : {}) }
    : { status: claimed.status };
  await withTenant(tenantId, async (_db, { sql: client }) => {
    await client.query("UPDATE approval_requests SET outcome = $1 WHERE id = $2 AND tenant_id = $3", [recorded, requestId, tenantId]);
    // The "decided" notification was queued with the vote, before the call ran: it carries the
    // outcome too, so nobody reads "approved" as "the money moved" when it went to the Outbox.
    await client.query(
      `UPDATE approval_notifications SET payload = payload || jsonb_build_object('outcome', $1::text)
        WHERE request_id = $2 AND tenant_id = $3 AND kind = 'decided' AND status = 'pending'`,
      [notificationOutcome(claimed.status, outcome), requestId, tenantId],
    );
    await client.query('UPDATE runs SET status = $1::"RunStatus", ended_at = now() WHERE id = $2 AND tenant_id = $3', [
      outcome?.status === "failed" ? "failed" : "completed",
      claimed.runId,
      tenantId,
    ]);
    await appendEvents(client, tenantId, [
      { runId: claimed.runId, type: "message.agent", eventClass: "message", payload: { text: reply } },
      {
        runId: claimed.runId,
        type: "run.completed",
        eventClass: "run",
        payload: { status: outcome?.status ?? claimed.status, outcome: heldRunOutcome(claimed.status, outcome) },
      },
    ]);
  });
  return outcome;
}

/** A pack that no longer compiles (say, stored before today's text limits) votes deny and says why. */
function decideWithPack(pack: TPackSource, request: TPolicyRequest): TPolicyDecision {
  try {
    return decide(compileComposition({ packs: [pack] }), request);
  } catch (error) {
    if (!(error instanceof PolicyCompileError)) throw error;
    return { effect: "deny", policies: [], tags: [], explanation: error.message };
  }
}

/** A tier whose approver is a policy pack (catalog or the tenant's own) decides at once: the pack permits (approve) or not (deny). */
export async function decideByPackIfAny(tenantId: string, requestId: string): Promise<void> {
  const found = await withTenant(tenantId, async (db) => {
    const request = await db.approvalRequest.findFirst({ where: { id: requestId, tenantId } });
    const ref = request ? tiersOf(request)[request.tier]?.approvers.pack : undefined;
    if (!request || request.status !== "pending" || !ref) return null;
    const requester = principalOf(request.requestedBy);
    // The pack sees the requester with their real role.
    const membership =
      requester.type === "User"
        ? await db.membership.findFirst({ where: { tenantId, userId: requester.id }, select: { role: true } })
        : null;
    return {
      request,
      ref,
      pack: await packSource(db, tenantId, ref),
      requester: requester.type === "User" ? { ...requester, role: membership?.role ?? "viewer" } : requester,
    };
  });
  if (!found) return;
  const { request, ref, pack, requester } = found;
  const principal = principalId({ kind: "pack", name: ref.name, version: ref.version });
  let vote: "approve" | "deny" = "deny";
  let comment = `pack ${ref.name} v${ref.version} is not available`;
  if (pack) {
    const decided = decideWithPack(pack, {
      principal: requester,
      action: request.tool,
      tenantId,
      context: {
        safetyClass: (request.safetyClass ?? "external_side_effect") as TSafetyClass,
        tainted: false,
        tags: request.tags,
        pii: { hasAny: false, kinds: [] },
        ...(request.amount !== null ? { amount: Number(request.amount) } : {}),
        ...(request.currency ? { currency: request.currency } : {}),
        ...(request.counterparty ? { counterparty: request.counterparty } : {}),
      },
    });
    vote = decided.effect === "allow" ? "approve" : "deny";
    comment = decided.explanation;
  }
  await voteOnRequest(tenantId, requestId, { principal }, vote, comment);
}

