// Two app processes on one database, racing over the same held calls: every approved
// call runs once, every request is decided once. The second process is a real OS
// process (server/test/second-process.ts) with its own pool and module state; both
// start each race at the same instant (an advisory-lock barrier).
//
// Within a process each request is handled once, so a double execution here can only
// come from the two processes: each test names the protection it proves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { addMember, type TTenantFixture } from "@/server/test/factories";
import { heldDelete, tenantHoldingDeletes } from "@/server/test/held-calls";
import { atOnce, raceBoth, startSecondProcess, type TSecondProcess } from "@/server/test/second-process";
import { saveWorkflow } from "./workflow";
import type { TTier } from "./types";

const REQUESTS = 6;
const MINUTE = 60_000;

let second: TSecondProcess;
beforeAll(async () => {
  second = await startSecondProcess();
});
afterAll(async () => {
  await second?.stop();
});

async function heldDeletes(fx: TTenantFixture, count = REQUESTS) {
  const held = [];
  for (let index = 0; index < count; index += 1) held.push(await heldDelete(fx));
  return held;
}

/** What each request came to: its decision, and how many times its call ran and its run ended. */
async function effectsOf(fx: TTenantFixture, held: { requestId: string; runId: string; key: string }) {
  return withTenant(fx.tenant.id, async (db) => {
    const request = await db.approvalRequest.findUniqueOrThrow({ where: { id: held.requestId } });
    const entry = await db.memoryEntry.findFirstOrThrow({ where: { tenantId: fx.tenant.id, key: held.key } });
    const events = (type: string) => db.event.count({ where: { tenantId: fx.tenant.id, runId: held.runId, type } });
    return {
      status: request.status,
      tier: request.tier,
      isClaimed: request.executedAt !== null,
      votes: await db.approvalVote.count({ where: { tenantId: fx.tenant.id, requestId: held.requestId } }),
      // The call's effect (memory.delete writes a deleted version) and its recorded result.
      deletes: await db.memoryVersion.count({ where: { tenantId: fx.tenant.id, entryId: entry.id, isDeleted: true } }),
      results: await events("tool.result"),
      decided: await events("approval.decided"),
      timeouts: await events("approval.timed_out"),
      completions: await events("run.completed"),
    };
  });
}

const tier = (overrides: Partial<TTier>): TTier => ({
  name: "Approvers",
  approvers: { roles: ["approver"], users: [], agents: [] },
  quorum: 1,
  distinctFromEarlierTiers: true,
  distinctFromRequester: true,
  slaMinutes: 1,
  onTimeout: "deny",
  ...overrides,
});

describe("two app processes on one database: approvals", () => {
  // Protection: settle's claim, a conditional update of executed_at (WHERE executed_at IS
  // NULL). Without it both processes read the decided request and both run the call.
  it("both settle the same approved calls at the same instant: each call runs once, in one of them", async () => {
    const fx = await tenantHoldingDeletes();
    const held = await heldDeletes(fx);
    const requestIds = held.map((call) => call.requestId);
    // Approved, as a vote leaves a request just before its settle.
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.updateMany({
        where: { tenantId: fx.tenant.id, id: { in: requestIds } },
        data: { status: "approved", decidedAt: new Date(), comment: "ok" },
      }),
    );

    const { here, there } = await atOnce(second, "settle", { tenantId: fx.tenant.id, requestIds });

    for (const [index, call] of held.entries()) {
      const ran = [here[index]?.status, there[index]?.status].filter((status) => status !== null);
      expect(ran).toEqual(["executed"]);
      expect(await effectsOf(fx, call)).toMatchObject({ status: "approved", isClaimed: true, deletes: 1, results: 1, completions: 1 });
    }
  });

  // Protection: the vote's row lock on its request (SELECT … FOR UPDATE in lockRequest),
  // under which the request is read, the vote counted and the decision stored. Without it
  // both votes are taken, both decide and each process records its own decision.
  it("two approvers vote at the same instant from two processes: one vote decides each request, its call runs once", async () => {
    const fx = await tenantHoldingDeletes();
    const other = await addMember(fx.tenant.id, "approver");
    const held = await heldDeletes(fx);
    const requestIds = held.map((call) => call.requestId);

    const { here, there } = await atOnce(
      second,
      "vote",
      { tenantId: fx.tenant.id, requestIds, principal: `user:${fx.users.approver.id}`, role: "approver" },
      { tenantId: fx.tenant.id, requestIds, principal: `user:${other.user.id}`, role: "approver" },
    );

    for (const [index, call] of held.entries()) {
      const answers = [here[index]?.answer, there[index]?.answer].sort();
      expect(answers).toEqual(["CONFLICT", "accepted"]);
      const winner = here[index]?.answer === "accepted" ? here[index] : there[index];
      expect(winner).toMatchObject({ status: "approved", executed: "executed" });
      expect(await effectsOf(fx, call)).toMatchObject({ status: "approved", votes: 1, decided: 1, deletes: 1, results: 1, completions: 1 });
    }
  });

  // Protections: the sweep takes each overdue request under the same row lock and acts only
  // if it is still pending at that tier and overdue (a timeout is one transition, one
  // approval.timed_out event); decisions it finishes, and calls a timeout allows, go
  // through settle's executed_at claim. Without the lock both processes time a request
  // out (two events, two escalations); without the claim both run its call.
  it("both run the approval sweep at the same instant: each timeout happens once, each call runs once", async () => {
    const fx = await tenantHoldingDeletes();
    await withTenant(fx.tenant.id, (db) =>
      saveWorkflow(db, fx.tenant.id, fx.users.admin.id, {
        routes: [],
        defaultRoute: {
          tiers: [
            tier({ slaMinutes: 1, onTimeout: "escalate" }),
            tier({ name: "Owners", approvers: { roles: ["owner"], users: [], agents: [] }, slaMinutes: 60, onTimeout: "allow" }),
          ],
        },
      }),
    );
    const overdue = await heldDeletes(fx, 4);
    // Decided two minutes ago, never settled: a crash between the vote and the settle.
    const unfinished = await heldDeletes(fx, 3);
    await withTenant(fx.tenant.id, (db) =>
      db.approvalRequest.updateMany({
        where: { tenantId: fx.tenant.id, id: { in: unfinished.map((call) => call.requestId) } },
        data: { status: "approved", decidedAt: new Date(Date.now() - 2 * MINUTE), comment: "ok" },
      }),
    );

    // Two minutes on: tier 1's deadline has passed (escalate), tier 2's is an hour away.
    const first = await atOnce(second, "sweep", { tenantId: fx.tenant.id, now: new Date(Date.now() + 2 * MINUTE).toISOString() });
    expect(first.here.expired + first.there.expired).toBe(overdue.length);
    expect(first.here.finished + first.there.finished).toBeGreaterThanOrEqual(unfinished.length);
    for (const call of overdue)
      expect(await effectsOf(fx, call)).toMatchObject({ status: "pending", tier: 1, timeouts: 1, deletes: 0, results: 0 });
    for (const call of unfinished)
      expect(await effectsOf(fx, call)).toMatchObject({ status: "approved", deletes: 1, results: 1, completions: 1 });

    // Three hours on: tier 2 times out too, and its timeout allows the call.
    const later = await atOnce(second, "sweep", { tenantId: fx.tenant.id, now: new Date(Date.now() + 3 * 60 * MINUTE).toISOString() });
    expect(later.here.expired + later.there.expired).toBe(overdue.length);
    for (const call of overdue)
      expect(await effectsOf(fx, call)).toMatchObject({ status: "approved", timeouts: 2, deletes: 1, results: 1, completions: 1 });
    for (const call of unfinished) expect(await effectsOf(fx, call)).toMatchObject({ deletes: 1, results: 1, completions: 1 });
  });

  // Protection: the same row lock. The vote and the timeout each decide only a request
  // still pending under it; without it a request is both approved and timed out.
  it("an approver votes in one process while the sweep times the same requests out in the other: each is decided once", async () => {
    const fx = await tenantHoldingDeletes();
    await withTenant(fx.tenant.id, (db) =>
      saveWorkflow(db, fx.tenant.id, fx.users.admin.id, {
        routes: [],
        defaultRoute: { tiers: [tier({ slaMinutes: 1, onTimeout: "deny" })] },
      }),
    );
    const held = await heldDeletes(fx);
    const requestIds = held.map((call) => call.requestId);

    const { here } = await raceBoth(
      second,
      { task: "vote", input: { tenantId: fx.tenant.id, requestIds, principal: `user:${fx.users.approver.id}`, role: "approver" } },
      { task: "sweep", input: { tenantId: fx.tenant.id, now: new Date(Date.now() + 2 * MINUTE).toISOString() } },
    );

    for (const [index, call] of held.entries()) {
      expect(["accepted", "CONFLICT"]).toContain(here[index]?.answer);
      const effects = await effectsOf(fx, call);
      // The vote decided it (and the call ran once), or the timeout did (and it never ran): not both.
      if (here[index]?.answer === "accepted")
        expect(effects).toMatchObject({ status: "approved", decided: 1, timeouts: 0, deletes: 1, results: 1, completions: 1 });
      else expect(effects).toMatchObject({ status: "denied", decided: 0, timeouts: 1, deletes: 0, results: 0, completions: 1 });
    }
  });
});
