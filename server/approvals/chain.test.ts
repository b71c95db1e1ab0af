import { describe, expect, it } from "vitest";
import type { TRole } from "@/server/auth/roles";
import { applyTimeout, applyVote, deadlineFor, eligibleFor, INITIAL_CHAIN_STATE, warningAt, type TVoteResult } from "./chain";
import type { TApprovalVote, TChainState, TTier } from "./types";

const ALICE = "user:11111111-1111-4111-8111-111111111111";
const BOB = "user:22222222-2222-4222-8222-222222222222";
const CAROL = "user:33333333-3333-4333-8333-333333333333";
const DAVE = "user:44444444-4444-4444-8444-444444444444";
const REQUESTER = "user:99999999-9999-4999-8999-999999999999";
const BOT = "agent:treasury-bot";

function tier(overrides: Partial<Omit<TTier, "approvers">> & { approvers?: Partial<TTier["approvers"]> } = {}): TTier {
  const { approvers, ...rest } = overrides;
  return {
    name: "Finance",
    quorum: 1,
    distinctFromEarlierTiers: true,
    distinctFromRequester: true,
    slaMinutes: 60,
    onTimeout: "deny",
    ...rest,
    approvers: { roles: [], users: [], agents: [], ...approvers },
  };
}

const T0 = new Date("2026-01-05T09:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

type TStep = { approver: string; vote?: "approve" | "deny"; tier?: number; role?: TRole };

/** Applies the steps in order, keeping the accepted, non-duplicate votes as the caller would. */
function run(tiers: TTier[], steps: TStep[], start: TChainState = INITIAL_CHAIN_STATE) {
  let state = start;
  const votes: TApprovalVote[] = [];
  const results: TVoteResult[] = [];
  steps.forEach((step, index) => {
    const vote: TApprovalVote = { tier: step.tier ?? state.tier, approver: step.approver, vote: step.vote ?? "approve", at: at(index) };
    const result = applyVote(tiers, state, votes, vote, { requester: REQUESTER, role: step.role });
    results.push(result);
    if (result.accepted && !result.isDuplicate) votes.push(vote);
    state = result.state;
  });
  return { state, votes, results };
}

describe("eligibleFor", () => {
  const context = { requester: REQUESTER, earlierApprovers: [] as string[] };

  it.each<{ name: string; tier: TTier; principal: string; role?: TRole; earlier?: string[]; isEligible: boolean; reason?: RegExp }>([
    { name: "listed user", tier: tier({ approvers: { users: [ALICE.slice(5)] } }), principal: ALICE, isEligible: true },
    {
      name: "listed user, upper-case uuid",
      tier: tier({ approvers: { users: [ALICE.slice(5)] } }),
      principal: ALICE.toUpperCase().replace("USER", "user"),
      isEligible: true,
    },
    {
      name: "unlisted user without role",
      tier: tier({ approvers: { users: [ALICE.slice(5)] } }),
      principal: BOB,
      isEligible: false,
      reason: /not an approver of "Finance"/,
    },
    {
      name: "approver role satisfies approver",
      tier: tier({ approvers: { roles: ["approver"] } }),
      principal: BOB,
      role: "approver",
      isEligible: true,
    },
    {
      name: "admin satisfies approver",
      tier: tier({ approvers: { roles: ["approver"] } }),
      principal: BOB,
      role: "admin",
      isEligible: true,
    },
    {
      name: "owner satisfies approver",
      tier: tier({ approvers: { roles: ["approver"] } }),
      principal: BOB,
      role: "owner",
      isEligible: true,
    },
    {
      name: "member does not satisfy approver",
      tier: tier({ approvers: { roles: ["approver"] } }),
      principal: BOB,
      role: "member",
      isEligible: false,
    },
    {
      name: "approver does not satisfy admin",
      tier: tier({ approvers: { roles: ["admin"] } }),
      principal: BOB,
      role: "approver",
      isEligible: false,
    },
    {
      name: "any listed role is enough",
      tier: tier({ approvers: { roles: ["owner", "approver"] } }),
      principal: BOB,
      role: "approver",
      isEligible: true,
    },
    { name: "listed agent", tier: tier({ approvers: { agents: ["treasury-bot"] } }), principal: BOT, isEligible: true },
    { name: "unlisted agent", tier: tier({ approvers: { agents: ["other-bot"] } }), principal: BOT, isEligible: false },
    {
      name: "an agent's role does not count",
      tier: tier({ approvers: { roles: ["viewer"] } }),
      principal: BOT,
      role: "owner",
      isEligible: false,
    },
    {
      name: "a user id listed as agent does not match",
      tier: tier({ approvers: { agents: ["treasury-bot"] } }),
      principal: "user:treasury-bot",
      isEligible: false,
    },
    {
      name: "the tier's pack",
      tier: tier({ approvers: { pack: { name: "treasury", version: 2 } } }),
      principal: "pack:treasury@v2",
      isEligible: true,
    },
    {
      name: "another version of the pack",
      tier: tier({ approvers: { pack: { name: "treasury", version: 2 } } }),
      principal: "pack:treasury@v1",
      isEligible: false,
    },
    {
      name: "timeout is not a voter",
      tier: tier({ approvers: { roles: ["viewer"] } }),
      principal: "timeout",
      role: "owner",
      isEligible: false,
      reason: /cannot decide/,
    },
    {
      name: "requester excluded",
      tier: tier({ approvers: { roles: ["approver"] } }),
      principal: REQUESTER,
      role: "owner",
      isEligible: false,
      reason: /requester may not decide/,
    },
    {
      name: "requester allowed when the tier says so",
      tier: tier({ distinctFromRequester: false, approvers: { roles: ["approver"] } }),
      principal: REQUESTER,
      role: "owner",
      isEligible: true,
    },
    {
      name: "earlier approver excluded",
      tier: tier({ approvers: { roles: ["approver"] } }),
      principal: ALICE,
      role: "admin",
      earlier: [ALICE],
      isEligible: false,
      reason: /earlier tier/,
    },
    {
      name: "earlier approver allowed when the tier says so",
      tier: tier({ distinctFromEarlierTiers: false, approvers: { roles: ["approver"] } }),
      principal: ALICE,
      role: "admin",
      earlier: [ALICE],
      isEligible: true,
    },
  ])("$name", ({ tier: candidate, principal, role, earlier, isEligible, reason }) => {
    const result = eligibleFor(candidate, { principal, role }, { ...context, earlierApprovers: earlier ?? [] });
    expect(result.isEligible).toBe(isEligible);
    if (reason && !result.isEligible) expect(result.reason).toMatch(reason);
  });
});

describe("applyVote", () => {
  const approvers = { roles: ["approver" as const] };

  it("quorum 2 of 3: a duplicate vote counts once, a second approver approves", () => {
    const tiers = [tier({ quorum: 2, approvers: { users: [ALICE, BOB, CAROL].map((p) => p.slice(5)) } })];
    const { state, votes, results } = run(tiers, [{ approver: ALICE }, { approver: ALICE }, { approver: BOB }]);
    expect(results.map((r) => [r.accepted, r.isDuplicate, r.state.status])).toEqual([
      [true, false, "pending"],
      [true, true, "pending"],
      [true, false, "approved"],
    ]);
    expect(votes.map((v) => v.approver)).toEqual([ALICE, BOB]);
    expect(state).toMatchObject({ status: "approved", tier: 0 });
  });

  it("a changed vote from the same approver is refused: decisions are final", () => {
    const tiers = [tier({ quorum: 2, approvers })];
    const { state, results } = run(tiers, [
      { approver: ALICE, role: "approver" },
      { approver: ALICE, vote: "deny", role: "approver" },
    ]);
    expect(results[1]).toMatchObject({ accepted: false, reason: expect.stringMatching(/already voted approve.*decisions are final/) });
    expect(state).toEqual({ status: "pending", tier: 0 });
  });

  it("one deny ends the request, even after approvals", () => {
    const tiers = [tier({ quorum: 2, approvers }), tier({ name: "CFO", approvers })];
    const { state } = run(tiers, [
      { approver: ALICE, role: "approver" },
      { approver: BOB, vote: "deny", role: "admin" },
    ]);
    expect(state).toEqual({ status: "denied", tier: 0, reason: `denied by ${BOB} in tier 1 "Finance"` });
  });

  it("votes on a finished request are refused with a reason; a repeat of a recorded vote is still idempotent", () => {
    const tiers = [tier({ approvers })];
    const { state, results } = run(tiers, [
      { approver: ALICE, role: "approver" },
      { approver: BOB, role: "approver" },
      { approver: BOB, vote: "deny", role: "approver" },
      { approver: ALICE, role: "approver" },
    ]);
    expect(results[1]).toMatchObject({ accepted: false, reason: expect.stringMatching(/^the request is already approved/) });
    expect(results[2]).toMatchObject({ accepted: false, reason: expect.stringMatching(/already approved/) });
    expect(results[3]).toMatchObject({ accepted: true, isDuplicate: true });
    expect(state.status).toBe("approved");
  });

  it("tiers in order: approvers must differ across tiers, and votes for another tier are refused", () => {
    const tiers = [tier({ approvers }), tier({ name: "CFO", quorum: 2, approvers })];
    const { state, results } = run(tiers, [
      { approver: BOB, tier: 1, role: "admin" },
      { approver: ALICE, role: "approver" },
      { approver: CAROL, tier: 0, role: "admin" },
      { approver: ALICE, tier: 0, role: "approver" },
      { approver: ALICE, tier: 1, role: "approver" },
      { approver: BOB, role: "admin" },
      { approver: CAROL, role: "owner" },
    ]);
    expect(results.map((r) => r.accepted)).toEqual([false, true, false, true, false, true, true]);
    expect(results[0]?.reason).toBe('the request is at tier 1 "Finance", not tier 2 "CFO"');
    expect(results[2]?.reason).toBe('the request is at tier 2 "CFO", not tier 1 "Finance"');
    expect(results[3]?.isDuplicate).toBe(true);
    expect(results[4]?.reason).toMatch(/already voted in an earlier tier/);
    expect(results[5]?.state).toEqual({ status: "pending", tier: 1 });
    expect(state).toMatchObject({ status: "approved", tier: 1 });
  });

  it("the same person may vote in two tiers when the later tier allows it", () => {
    const tiers = [tier({ approvers }), tier({ name: "CFO", distinctFromEarlierTiers: false, approvers })];
    expect(
      run(tiers, [
        { approver: ALICE, role: "admin" },
        { approver: ALICE, role: "admin" },
      ]).state.status,
    ).toBe("approved");
  });

  it("earlierApprovers passed in the context are excluded like earlier-tier voters", () => {
    const tiers = [tier({ approvers })];
    const vote: TApprovalVote = { tier: 0, approver: ALICE, vote: "approve", at: T0 };
    const refused = applyVote(tiers, INITIAL_CHAIN_STATE, [], vote, { requester: REQUESTER, role: "admin", earlierApprovers: [ALICE] });
    expect(refused).toMatchObject({ accepted: false, reason: expect.stringMatching(/earlier tier/) });
    expect(applyVote(tiers, INITIAL_CHAIN_STATE, [], vote, { requester: REQUESTER, role: "admin" }).accepted).toBe(true);
  });

  it("a user approver without a role passed in is not admitted by roles", () => {
    const tiers = [tier({ approvers })];
    const result = applyVote(
      tiers,
      INITIAL_CHAIN_STATE,
      [],
      { tier: 0, approver: ALICE, vote: "approve", at: T0 },
      { requester: REQUESTER },
    );
    expect(result).toMatchObject({ accepted: false, reason: expect.stringMatching(/not an approver/) });
  });

  it("the requester cannot approve their own request", () => {
    const tiers = [tier({ approvers })];
    const { state, results } = run(tiers, [{ approver: REQUESTER, role: "owner" }]);
    expect(results[0]).toMatchObject({ accepted: false, reason: "the requester may not decide their own request" });
    expect(state).toEqual(INITIAL_CHAIN_STATE);
  });

  it("role hierarchy: a member is refused, an admin counts toward an approver tier", () => {
    const tiers = [tier({ quorum: 2, approvers })];
    const { state, results } = run(tiers, [
      { approver: ALICE, role: "member" },
      { approver: BOB, role: "admin" },
      { approver: CAROL, role: "viewer" },
      { approver: DAVE, role: "owner" },
    ]);
    expect(results.map((r) => r.accepted)).toEqual([false, true, false, true]);
    expect(state.status).toBe("approved");
  });

  it("agent approvers decide alongside people", () => {
    const tiers = [tier({ quorum: 2, approvers: { agents: ["treasury-bot"], users: [ALICE.slice(5)] } })];
    const { state, results } = run(tiers, [{ approver: "agent:other-bot" }, { approver: BOT }, { approver: ALICE }]);
    expect(results.map((r) => r.accepted)).toEqual([false, true, true]);
    expect(state.status).toBe("approved");
  });

  it("a pack decides the tier it is named in", () => {
    const tiers = [tier({ approvers: { pack: { name: "treasury", version: 3 } } })];
    expect(run(tiers, [{ approver: "pack:treasury@v3", vote: "deny" }]).state.status).toBe("denied");
  });

  it("a vote at or after the tier's deadline is refused when the deadline is given", () => {
    const tiers = [tier({ approvers })];
    const deadline = deadlineFor(tiers[0] as TTier, T0);
    const late = applyVote(
      tiers,
      INITIAL_CHAIN_STATE,
      [],
      { tier: 0, approver: ALICE, vote: "approve", at: deadline },
      { requester: REQUESTER, role: "admin", deadline },
    );
    expect(late).toMatchObject({ accepted: false, reason: expect.stringMatching(/SLA .* has passed/) });
    const inTime = applyVote(
      tiers,
      INITIAL_CHAIN_STATE,
      [],
      { tier: 0, approver: ALICE, vote: "approve", at: at(59) },
      { requester: REQUESTER, role: "admin", deadline },
    );
    expect(inTime.state.status).toBe("approved");
  });

  it("throws on a state that points outside the route (programmer error)", () => {
    expect(() =>
      applyVote(
        [tier({ approvers })],
        { status: "pending", tier: 1 },
        [],
        { tier: 1, approver: ALICE, vote: "approve", at: T0 },
        { requester: REQUESTER },
      ),
    ).toThrow(/tier 1, the route has 1/);
  });
});

describe("applyTimeout", () => {
  const approvers = { roles: ["approver" as const] };
  const escalating = [
    tier({ name: "Team lead", onTimeout: "escalate", approvers }),
    tier({ name: "Finance", onTimeout: "escalate", approvers }),
    tier({ name: "CFO", onTimeout: "escalate", approvers }),
  ];

  it("escalates through the tiers and expires at the last one (fail closed)", () => {
    let state: TChainState = INITIAL_CHAIN_STATE;
    const seen: TChainState[] = [];
    for (let index = 0; index < 3; index += 1) {
      const next = applyTimeout(escalating, state, at(60 * (index + 1)), at(60 * (index + 1)));
      expect(next).not.toBe(state);
      state = next;
      seen.push(state);
    }
    expect(seen.slice(0, 2)).toEqual([
      { status: "pending", tier: 1 },
      { status: "pending", tier: 2 },
    ]);
    expect(state).toMatchObject({
      status: "expired",
      tier: 2,
      reason: expect.stringMatching(/last tier.*nowhere to escalate.*fail closed/),
    });
  });

  it.each([
    { onTimeout: "deny" as const, status: "denied", reason: /SLA of tier 1 "Finance" \(60 min\) passed.*denies/ },
    { onTimeout: "allow" as const, status: "approved", reason: /SLA of tier 1 "Finance" \(60 min\) passed.*allows/ },
  ])("onTimeout $onTimeout → $status", ({ onTimeout, status, reason }) => {
    const result = applyTimeout([tier({ onTimeout, approvers }), tier({ name: "CFO", approvers })], INITIAL_CHAIN_STATE, at(61), at(60));
    expect(result).toMatchObject({ status, tier: 0, reason: expect.stringMatching(reason) });
  });

  it("before the deadline nothing changes; at the deadline it applies", () => {
    const tiers = [tier({ approvers })];
    expect(applyTimeout(tiers, INITIAL_CHAIN_STATE, at(59), at(60))).toBe(INITIAL_CHAIN_STATE);
    expect(applyTimeout(tiers, INITIAL_CHAIN_STATE, at(60), at(60)).status).toBe("denied");
  });

  it("a timeout on a finished request changes nothing", () => {
    const finished: TChainState = { status: "approved", tier: 0, reason: "approved" };
    expect(applyTimeout([tier({ onTimeout: "deny", approvers })], finished, at(600), at(60))).toBe(finished);
  });

  it("after an escalation, earlier-tier voters are still excluded in the next tier", () => {
    const tiers = [tier({ quorum: 2, onTimeout: "escalate", approvers }), tier({ name: "CFO", approvers })];
    const first = run(tiers, [{ approver: ALICE, role: "admin" }]);
    const escalated = applyTimeout(tiers, first.state, at(60), at(60));
    expect(escalated).toEqual({ status: "pending", tier: 1 });
    const again = applyVote(
      tiers,
      escalated,
      first.votes,
      { tier: 1, approver: ALICE, vote: "approve", at: at(61) },
      { requester: REQUESTER, role: "admin" },
    );
    expect(again).toMatchObject({ accepted: false, reason: expect.stringMatching(/earlier tier/) });
  });
});

describe("deadlineFor and warningAt", () => {
  it("deadline is the start plus the SLA", () => {
    expect(deadlineFor(tier({ slaMinutes: 90 }), T0)).toEqual(at(90));
  });

  it("warning is the deadline minus warnBeforeMinutes, none when unset, never before the start", () => {
    expect(warningAt(tier({ slaMinutes: 90, warnBeforeMinutes: 15 }), T0)).toEqual(at(75));
    expect(warningAt(tier({ slaMinutes: 90 }), T0)).toBeNull();
    expect(warningAt(tier({ slaMinutes: 10, warnBeforeMinutes: 30 }), T0)).toEqual(T0);
  });
});
