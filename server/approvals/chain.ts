// The state machine of one approval request over its route's tiers. Pure functions:
// the caller loads the request (its tiers, state and accepted votes), applies a vote or
// a timeout here, and stores what comes back in the same transaction, so concurrent
// decisions serialize on the request row.
//
// Rules:
// - A request starts pending at tier 0. A tier needs `quorum` approvals from distinct
//   eligible approvers; then the next tier starts, or the request is approved after the
//   last tier. One eligible deny ends the request as denied.
// - Decisions are final: an approver who voted in a tier may repeat the same vote
//   (accepted, counted once, `isDuplicate`), even after the request finished, so a
//   retried click is harmless; a different vote from them in that tier is refused.
// - Any other vote on a finished request, or for another tier than the current one, is
//   refused with a reason. So is a vote cast at or after the tier's deadline when the
//   caller passes it: the vote and the SLA timer then give the same result whichever
//   the database serializes first.
// - A timeout at or after the deadline applies the tier's onTimeout: deny -> denied,
//   allow -> approved, escalate -> the next tier (pending), or expired at the last tier
//   (fail closed). A timeout on a finished request or before the deadline changes
//   nothing (the same state object comes back). The caller starts the next tier's SLA
//   when it applies the escalation, so a timer that fires late does not shorten it.
import { hasRole, type TRole } from "@/server/auth/roles";
import { parsePrincipal } from "@/server/principals";
import type { TApprovalVote, TChainState, TTier } from "./types";

const MINUTE_MS = 60_000;

export type TApprover = { principal: string; role?: TRole };
export type TEligibilityContext = { requester: string; earlierApprovers: string[] };
export type TEligibility = { isEligible: true } | { isEligible: false; reason: string };

export type TVoteContext = {
  /** Principal of who asked for the held call. */
  requester: string;
  /** The voter's tenant role, when the voter is a user. */
  role?: TRole;
  /** The current tier's deadline: a vote at or after it is refused (the timeout decides). */
  deadline?: Date;
  /** Extra principals to treat as earlier-tier voters (those in `votes` always count). */
  earlierApprovers?: string[];
};
export type TVoteResult = {
  state: TChainState;
  accepted: boolean;
  /** Why a vote was refused, or what ended the request. */
  reason?: string;
  /** The same vote was already recorded: nothing to store. */
  isDuplicate: boolean;
};

export const INITIAL_CHAIN_STATE: TChainState = { status: "pending", tier: 0 };

export function isFinished(state: TChainState): boolean {
  return state.status !== "pending";
}

/** The form principals are compared in: user ids are UUIDs, whose case does not matter. */
function canonical(principal: string): string {
  return parsePrincipal(principal).kind === "user" ? principal.toLowerCase() : principal;
}

function samePrincipal(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function tierLabel(tiers: TTier[], index: number): string {
  const tier = tiers[index];
  return tier ? `tier ${index + 1} "${tier.name}"` : `tier ${index + 1}`;
}

export function eligibleFor(tier: TTier, who: TApprover, context: TEligibilityContext): TEligibility {
  const principal = parsePrincipal(who.principal);
  if (principal.kind !== "user" && principal.kind !== "agent" && principal.kind !== "pack")
    return { isEligible: false, reason: `${who.principal} cannot decide approvals (not a user, agent or pack)` };
  if (tier.distinctFromRequester && samePrincipal(who.principal, context.requester)) {
    return { isEligible: false, reason: "the requester may not decide their own request" };
  }
  if (tier.distinctFromEarlierTiers && context.earlierApprovers.some((earlier) => samePrincipal(earlier, who.principal))) {
    return { isEligible: false, reason: `${who.principal} already voted in an earlier tier; "${tier.name}" needs someone else` };
  }
  const { approvers } = tier;
  switch (principal.kind) {
    case "user": {
      if (approvers.users.some((id) => id.toLowerCase() === principal.id.toLowerCase())) return { isEligible: true };
      const role = who.role;
      if (role && approvers.roles.some((least) => hasRole(role, least))) return { isEligible: true };
      break;
    }
    case "agent":
      if (approvers.agents.includes(principal.id)) return { isEligible: true };
      break;
    case "pack":
      if (approvers.pack && approvers.pack.name === principal.name && approvers.pack.version === principal.version) {
        return { isEligible: true };
      }
      break;
  }
  return { isEligible: false, reason: `${who.principal} is not an approver of "${tier.name}"` };
}

function assertConsistent(tiers: TTier[], state: TChainState): void {
  // Programmer errors, not user errors: a request keeps the workflow version it started
  // with, so its state always points at one of its tiers.
  if (tiers.length === 0) throw new Error("an approval chain needs at least one tier");
  if (!Number.isInteger(state.tier) || state.tier < 0 || state.tier >= tiers.length) {
    throw new Error(`chain state points at tier ${state.tier}, the route has ${tiers.length}`);
  }
}

export function applyVote(
  tiers: TTier[],
  state: TChainState,
  votes: TApprovalVote[],
  vote: TApprovalVote,
  context: TVoteContext,
): TVoteResult {
  assertConsistent(tiers, state);
  const refuse = (reason: string): TVoteResult => ({ state, accepted: false, reason, isDuplicate: false });

  const earlier = votes.find((recorded) => recorded.tier === vote.tier && samePrincipal(recorded.approver, vote.approver));
  if (earlier) {
    if (earlier.vote === vote.vote) return { state, accepted: true, reason: "this vote was already recorded", isDuplicate: true };
    return refuse(`${vote.approver} already voted ${earlier.vote} in ${tierLabel(tiers, vote.tier)}; decisions are final`);
  }
  if (state.status !== "pending") return refuse(`the request is already ${state.status}: ${state.reason}`);
  if (vote.tier !== state.tier) {
    return refuse(`the request is at ${tierLabel(tiers, state.tier)}, not ${tierLabel(tiers, vote.tier)}`);
  }
  const tier = tiers[state.tier] as TTier;
  if (context.deadline && vote.at.getTime() >= context.deadline.getTime()) {
    return refuse(`the SLA of ${tierLabel(tiers, state.tier)} has passed; its timeout rule decides`);
  }
  const earlierApprovers = votes
    .filter((recorded) => recorded.tier < state.tier)
    .map((recorded) => recorded.approver)
    .concat(context.earlierApprovers ?? []);
  const eligibility = eligibleFor(
    tier,
    { principal: vote.approver, role: context.role },
    { requester: context.requester, earlierApprovers },
  );
  if (!eligibility.isEligible) return refuse(eligibility.reason);

  if (vote.vote === "deny") {
    const reason = `denied by ${vote.approver} in ${tierLabel(tiers, state.tier)}`;
    return { state: { status: "denied", tier: state.tier, reason }, accepted: true, reason, isDuplicate: false };
  }

  const approvers = new Set(
    votes.filter((recorded) => recorded.tier === state.tier && recorded.vote === "approve").map((recorded) => canonical(recorded.approver)),
  );
  approvers.add(canonical(vote.approver));
  if (approvers.size < tier.quorum) return { state, accepted: true, isDuplicate: false };
  if (state.tier + 1 < tiers.length) return { state: { status: "pending", tier: state.tier + 1 }, accepted: true, isDuplicate: false };
  const reason = `approved: ${tierLabel(tiers, state.tier)} reached its quorum of ${tier.quorum}, the last of ${tiers.length} tier(s)`;
  return { state: { status: "approved", tier: state.tier, reason }, accepted: true, reason, isDuplicate: false };
}

/**
 * The tier's timeout rule, if the deadline has passed. Returns the same state object
 * when nothing changes (finished, or before the deadline), a new one otherwise.
 */
export function applyTimeout(tiers: TTier[], state: TChainState, now: Date, deadline: Date): TChainState {
  assertConsistent(tiers, state);
  if (state.status !== "pending" || now.getTime() < deadline.getTime()) return state;
  const tier = tiers[state.tier] as TTier;
  const passed = `the SLA of ${tierLabel(tiers, state.tier)} (${tier.slaMinutes} min) passed without a decision`;
  switch (tier.onTimeout) {
    case "deny":
      return { status: "denied", tier: state.tier, reason: `${passed}; its timeout rule denies the call` };
    case "allow":
      return { status: "approved", tier: state.tier, reason: `${passed}; its timeout rule allows the call` };
    case "escalate":
      if (state.tier + 1 < tiers.length) return { status: "pending", tier: state.tier + 1 };
      return {
        status: "expired",
        tier: state.tier,
        reason: `${passed} and it is the last tier, so there is nowhere to escalate: expired (fail closed)`,
      };
  }
}

export function deadlineFor(tier: TTier, tierStartedAt: Date): Date {
  return new Date(tierStartedAt.getTime() + tier.slaMinutes * MINUTE_MS);
}

/** When to warn that the deadline is near, or null; never before the tier started. */
export function warningAt(tier: TTier, tierStartedAt: Date): Date | null {
  if (tier.warnBeforeMinutes === undefined) return null;
  const at = deadlineFor(tier, tierStartedAt).getTime() - tier.warnBeforeMinutes * MINUTE_MS;
  return new Date(Math.max(at, tierStartedAt.getTime()));
}
