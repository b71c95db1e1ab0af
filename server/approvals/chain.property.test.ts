import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLES, type TRole } from "@/server/auth/roles";
import { applyTimeout, applyVote, INITIAL_CHAIN_STATE } from "./chain";
import type { TApprovalVote, TChainState, TTier } from "./types";

const USER_IDS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"];
const REQUESTER_ID = "99999999-9999-4999-8999-999999999999";
const REQUESTER = `user:${REQUESTER_ID}`;
const AGENTS = ["bot-a", "bot-b"];
const PRINCIPALS = [...USER_IDS, REQUESTER_ID]
  .map((id) => `user:${id}`)
  .concat(
    AGENTS.map((id) => `agent:${id}`),
    ["pack:treasury@v1", "timeout"],
  );

const arbTier: fc.Arbitrary<TTier> = fc.record({
  name: fc.constantFrom("One", "Two", "Three"),
  approvers: fc.record({
    roles: fc.subarray([...ROLES]),
    users: fc.subarray([...USER_IDS, REQUESTER_ID]),
    agents: fc.subarray(AGENTS),
    pack: fc.option(fc.constant({ name: "treasury", version: 1 }), { nil: undefined }),
  }),
  quorum: fc.integer({ min: 1, max: 3 }),
  distinctFromEarlierTiers: fc.boolean(),
  distinctFromRequester: fc.boolean(),
  slaMinutes: fc.constant(60),
  onTimeout: fc.constantFrom("deny" as const, "allow" as const, "escalate" as const),
});

const arbRoles = fc.record(
  Object.fromEntries(PRINCIPALS.map((principal) => [principal, fc.constantFrom(...ROLES)])) as Record<string, fc.Arbitrary<TRole>>,
);

const arbVote = fc.record({
  approver: fc.constantFrom(...PRINCIPALS),
  vote: fc.constantFrom("approve" as const, "approve" as const, "approve" as const, "deny" as const),
  /** null: the current tier; otherwise a tier that may or may not be current. */
  tier: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
});

// An independent statement of who may vote, to check the chain against.
function mayVote(tier: TTier, approver: string, role: TRole, earlier: Set<string>): boolean {
  if (tier.distinctFromRequester && approver === REQUESTER) return false;
  if (tier.distinctFromEarlierTiers && earlier.has(approver)) return false;
  const [kind, id] = approver.split(":");
  if (kind === "user")
    return tier.approvers.users.includes(id ?? "") || tier.approvers.roles.some((least) => ROLES.indexOf(role) >= ROLES.indexOf(least));
  if (kind === "agent") return tier.approvers.agents.includes(id ?? "");
  if (kind === "pack")
    return tier.approvers.pack !== undefined && approver === `pack:${tier.approvers.pack.name}@v${tier.approvers.pack.version}`;
  return false;
}

describe("approval chain properties", () => {
  it("no sequence of votes passes a tier without a quorum of distinct eligible approvers", () => {
    fc.assert(
      fc.property(
        fc.array(arbTier, { minLength: 1, maxLength: 3 }),
        arbRoles,
        fc.array(arbVote, { maxLength: 30 }),
        (tiers, roles, steps) => {
          let state: TChainState = INITIAL_CHAIN_STATE;
          const votes: TApprovalVote[] = [];
          steps.forEach((step, index) => {
            const vote: TApprovalVote = { tier: step.tier ?? state.tier, approver: step.approver, vote: step.vote, at: new Date(index) };
            const result = applyVote(tiers, state, votes, vote, { requester: REQUESTER, role: roles[step.approver] });
            if (result.accepted && !result.isDuplicate) votes.push(vote);
            state = result.state;
          });

          const passed = state.status === "approved" ? tiers.length : state.tier;
          const earlier = new Set<string>();
          tiers.forEach((tier, index) => {
            const inTier = votes.filter((vote) => vote.tier === index);
            // Every recorded vote came from someone eligible at that point.
            for (const vote of inTier) expect(mayVote(tier, vote.approver, roles[vote.approver] as TRole, earlier)).toBe(true);
            const approvals = new Set(inTier.filter((vote) => vote.vote === "approve").map((vote) => vote.approver));
            if (index < passed) expect(approvals.size).toBeGreaterThanOrEqual(tier.quorum);
            // Nobody votes in a tier the request has not reached.
            if (index > state.tier) expect(inTier).toEqual([]);
            for (const vote of inTier) earlier.add(vote.approver);
          });
          if (state.status === "denied") expect(votes.at(-1)?.vote).toBe("deny");
          if (state.status !== "denied") expect(votes.every((vote) => vote.vote === "approve")).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("once a request is approved, denied or expired, no later vote or timeout changes it", () => {
    const arbEvent = fc.oneof(
      arbVote.map((vote) => ({ kind: "vote" as const, ...vote })),
      fc.record({ kind: fc.constant("timeout" as const), minutesAfterDeadline: fc.integer({ min: -30, max: 30 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(arbTier, { minLength: 1, maxLength: 3 }),
        arbRoles,
        fc.array(arbEvent, { maxLength: 40 }),
        (tiers, roles, events) => {
          let state: TChainState = INITIAL_CHAIN_STATE;
          let final: TChainState | null = null;
          const votes: TApprovalVote[] = [];
          events.forEach((event, index) => {
            const now = new Date(Date.UTC(2026, 0, 1) + index * 60_000);
            let accepted = false;
            let isDuplicate = false;
            if (event.kind === "vote") {
              const vote: TApprovalVote = { tier: event.tier ?? state.tier, approver: event.approver, vote: event.vote, at: now };
              const result = applyVote(tiers, state, votes, vote, { requester: REQUESTER, role: roles[event.approver] });
              ({ accepted, isDuplicate } = result);
              if (accepted && !isDuplicate) votes.push(vote);
              state = result.state;
            } else {
              const deadline = new Date(now.getTime() - event.minutesAfterDeadline * 60_000);
              const next = applyTimeout(tiers, state, now, deadline);
              if (event.minutesAfterDeadline < 0) expect(next).toBe(state);
              state = next;
            }
            if (final) {
              expect(state).toEqual(final);
              // After the end, only a repeat of a recorded vote is accepted, and it records nothing.
              if (accepted) expect(isDuplicate).toBe(true);
            } else if (state.status !== "pending") {
              final = state;
            }
          });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
