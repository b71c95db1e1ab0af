// Budgets through the gate: exact under concurrency from two processes, calendar windows
// in the tenant's time zone, reservations released on failure and given back on expiry,
// held calls charged when they run, one tenant never moving another's counters, and
// refusals that say which budget, its window, limit, usage and reset.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { voteOnRequest } from "@/server/approvals/service";
import { withTenant } from "@/server/db";
import { runGate, runGateWith } from "@/server/gate/pipeline";
import { callerFor, createRun, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { heldDelete, tenantHoldingDeletes } from "@/server/test/held-calls";
import { atOnce, startSecondProcess, type TSecondProcess } from "@/server/test/second-process";
import { memorySet } from "@/server/tools/memory";
import { ToolRegistry } from "@/server/tools/registry";
import type { TAnyTool } from "@/server/tools/types";
import { createBudget } from "./service";
import type { TCreateBudget } from "./schemas";

const ADMIN = { userId: null, label: "user:budget-admin" };
const member = (fx: TTenantFixture) => ({ type: "User" as const, id: fx.users.member.id, role: "member" as const });

async function budgetFor(fx: TTenantFixture, input: Partial<TCreateBudget> & { limitAmount: number }) {
  const full: TCreateBudget = { name: "calls per day", metric: "tool_calls", period: "day", principal: null, tool: null, ...input };
  return withTenant(fx.tenant.id, (db) => createBudget(db, fx.tenant.id, ADMIN, full));
}

async function countersOf(fx: TTenantFixture) {
  return withTenant(fx.tenant.id, async (db) =>
    (await db.budgetCounter.findMany({ where: { tenantId: fx.tenant.id } })).map((row) => ({
      budgetId: row.budgetId,
      used: Number(row.used),
      reserved: Number(row.reserved),
    })),
  );
}

const set = (fx: TTenantFixture, runId: string, key: string) =>
  runGate({ tenantId: fx.tenant.id, runId, principal: member(fx), tool: "memory.set", args: { key, value: "v" } });

describe("under concurrency", () => {
  let second: TSecondProcess;
  beforeAll(async () => {
    second = await startSecondProcess();
  });
  afterAll(async () => {
    await second?.stop();
  });

  it("200 calls at once from two processes against 50 tool calls a day: exactly 50 run, 150 are refused naming the budget", async () => {
    const fx = await createTenantFixture();
    const budget = await budgetFor(fx, { name: "calls per day", limitAmount: 50 });
    const runId = await createRun(fx);
    const input = { tenantId: fx.tenant.id, runId, userId: fx.users.member.id, count: 100 };
    const { here, there } = await atOnce(second, "gateCalls", { ...input, prefix: "here" }, { ...input, prefix: "there" });
    expect(here.executed + there.executed).toBe(50);
    const refusals = [...here.refusals, ...there.refusals];
    expect(refusals).toHaveLength(150);
    for (const refusal of refusals) expect(refusal).toMatch(/^Budget "calls per day" is used up: 50 of 50 tool calls this day/);
    expect(await countersOf(fx)).toEqual([{ budgetId: budget.id, used: 50, reserved: 0 }]);
    const stored = await withTenant(fx.tenant.id, (db) => db.memoryEntry.count({ where: { tenantId: fx.tenant.id } }));
    expect(stored).toBe(50);
  }, 60_000);
});

describe("windows in the tenant's time zone", () => {
  const windowOf = (period: string, at: string, timezone: string) =>
    withTenant(fixture.tenant.id, async (db) => {
      const rows = await db.$queryRawUnsafe<{ window_start: Date; window_end: Date }[]>(
        "SELECT * FROM budget_window($1, $2::timestamptz, $3)",
        period,
        at,
        timezone,
      );
      const row = rows[0] as { window_start: Date; window_end: Date };
      return [row.window_start.toISOString(), row.window_end.toISOString()];
    });
  let fixture: TTenantFixture;
  beforeAll(async () => {
    fixture = await createTenantFixture();
  });

  it("days start at local midnight, also across daylight-saving changes (23 and 25 hours)", async () => {
    // New York springs forward on 8 March 2026 and falls back on 1 November 2026.
    expect(await windowOf("day", "2026-03-08T12:00:00Z", "America/New_York")).toEqual([
      "2026-03-08T05:00:00.000Z",
      "2026-03-09T04:00:00.000Z",
    ]);
    expect(await windowOf("day", "2026-11-01T12:00:00Z", "America/New_York")).toEqual([
      "2026-11-01T04:00:00.000Z",
      "2026-11-02T05:00:00.000Z",
    ]);
    // The instant the day rolls over: 23:59:59.999 is yesterday, midnight is today.
    expect((await windowOf("day", "2026-03-09T03:59:59.999Z", "America/New_York"))[0]).toBe("2026-03-08T05:00:00.000Z");
    expect((await windowOf("day", "2026-03-09T04:00:00.000Z", "America/New_York"))[0]).toBe("2026-03-09T04:00:00.000Z");
    expect(await windowOf("month", "2026-03-31T12:00:00Z", "Europe/Berlin")).toEqual([
      "2026-02-28T23:00:00.000Z",
      "2026-03-31T22:00:00.000Z",
    ]);
  });

  it("the repeated hour of a fall-back is two windows, and a half-hour zone's hours start at half past", async () => {
    // 01:30 EDT and 01:30 EST are an hour apart: each in its own hour.
    expect(await windowOf("hour", "2026-11-01T05:30:00Z", "America/New_York")).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T06:00:00.000Z",
    ]);
    expect(await windowOf("hour", "2026-11-01T06:30:00Z", "America/New_York")).toEqual([
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T07:00:00.000Z",
    ]);
    expect(await windowOf("hour", "2026-12-07T10:10:00Z", "Asia/Kolkata")).toEqual([
      "2026-12-07T09:30:00.000Z",
      "2026-12-07T10:30:00.000Z",
    ]);
    expect(await windowOf("minute", "2026-12-07T10:10:59.999Z", "Asia/Kolkata")).toEqual([
      "2026-12-07T10:10:00.000Z",
      "2026-12-07T10:11:00.000Z",
    ]);
  });

  it("a tenant's calls are counted in its own time zone's day", async () => {
    const fx = await createTenantFixture();
    await callerFor(fx.users.admin).budget.updateSettings({ tenantSlug: fx.tenant.slug, timezone: "Pacific/Kiritimati" });
    await budgetFor(fx, { limitAmount: 5 });
    await set(fx, await createRun(fx), "one");
    const [budget] = await callerFor(fx.users.member).budget.list({ tenantSlug: fx.tenant.slug });
    // UTC+14: the local day starts at 10:00 UTC the day before.
    expect(budget?.windowStart.toISOString()).toMatch(/T10:00:00\.000Z$/);
    expect(budget).toMatchObject({ used: 1, reserved: 0, limitAmount: 5 });
    await expect(
      callerFor(fx.users.admin).budget.updateSettings({ tenantSlug: fx.tenant.slug, timezone: "Mars/Olympus" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("reservations", () => {
  /** An external tool (reserved, then settled) that fails when asked to. */
  const probe: TAnyTool = {
    name: "probe.work",
    description: "an external tool for budget tests",
    input: z.object({ fail: z.boolean() }),
    safetyClass: "read_only",
    capability: "api",
    execute: async (_context, args) => {
      if ((args as { fail: boolean }).fail) throw new Error("the service said no");
      return "done";
    },
  };
  const registry = new ToolRegistry("saas");
  registry.register(probe);
  registry.register(memorySet);
  let fx: TTenantFixture;
  beforeAll(async () => {
    fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (db) =>
      db.policyComposition.create({
        data: { tenantId: fx.tenant.id, packs: [], tenantPolicies: '@id("all")\npermit (principal, action, resource);' },
      }),
    );
  });
  const work = async (fail: boolean) =>
    runGateWith(registry, {
      tenantId: fx.tenant.id,
      runId: await createRun(fx),
      principal: member(fx),
      tool: "probe.work",
      args: { fail },
    });

  it("a failed call gives its reservation back; a call that ran is counted; the limit then refuses", async () => {
    const budget = await budgetFor(fx, { name: "probe work", tool: "probe.work", limitAmount: 2 });
    expect(await work(true)).toMatchObject({ status: "failed" });
    expect(await countersOf(fx)).toEqual([{ budgetId: budget.id, used: 0, reserved: 0 }]);
    expect(await work(false)).toMatchObject({ status: "executed" });
    expect(await work(false)).toMatchObject({ status: "executed" });
    const refused = await work(false);
    expect(refused).toMatchObject({ status: "denied", decision: { step: "budget", effect: "deny" } });
    expect(refused.decision.explanation).toMatch(
      /^Budget "probe work" is used up: 2 of 2 tool calls this day, since .+\(UTC\)\. 0 remain; it resets at .+\(UTC\)\.$/,
    );
    expect(await countersOf(fx)).toEqual([{ budgetId: budget.id, used: 2, reserved: 0 }]);
    // The refusal is in the run's record, explained.
    const decisions = await withTenant(fx.tenant.id, (db) =>
      db.event.findMany({ where: { tenantId: fx.tenant.id, type: "policy.decision" }, orderBy: { seq: "desc" }, take: 1 }),
    );
    expect(JSON.parse(decisions[0]?.payload ?? "{}")).toMatchObject({
      status: "denied",
      step: "budget",
      tool: "probe.work",
      explanation: refused.decision.explanation,
    });
    // Another tool is not limited by it.
    expect(
      await runGateWith(registry, {
        tenantId: fx.tenant.id,
        runId: await createRun(fx),
        principal: member(fx),
        tool: "memory.set",
        args: { key: "k", value: "v" },
      }),
    ).toMatchObject({
      status: "executed",
    });
  });

  it("a reservation whose settle never comes is given back at its expiry; a late settle still counts the use", async () => {
    const other = await createTenantFixture();
    const budget = await budgetFor(other, { name: "one at a time", limitAmount: 1 });
    const reserve = (at: string) =>
      withTenant(other.tenant.id, async (db) => {
        const rows = await db.$queryRawUnsafe<{ answer: { ok: boolean; reservation?: string } }[]>(
          "SELECT budget_reserve($1::uuid, '{tool_calls}', 'user:x', 'probe.work', 1, 'reserve', $2::timestamptz, '90 seconds'::interval) AS answer",
          other.tenant.id,
          at,
        );
        return rows[0]?.answer;
      });
    const day = new Date().toISOString().slice(0, 10);
    const first = await reserve(`${day}T12:00:00Z`);
    expect(first).toMatchObject({ ok: true });
    // Still held 89 s later: refused.
    expect(await reserve(`${day}T12:01:29Z`)).toMatchObject({ ok: false });
    // After its expiry the crashed call's reservation is given back: the next one fits.
    const next = await reserve(`${day}T12:01:31Z`);
    expect(next).toMatchObject({ ok: true });
    expect(await countersOf(other)).toEqual([{ budgetId: budget.id, used: 0, reserved: 1 }]);
    // The first call did run after all: its late settle counts it, without giving back twice.
    await withTenant(other.tenant.id, (db) =>
      db.$executeRawUnsafe("SELECT budget_settle($1::uuid, $2::uuid, 1, now())", other.tenant.id, first?.reservation),
    );
    expect(await countersOf(other)).toEqual([{ budgetId: budget.id, used: 1, reserved: 1 }]);
  });

  it("a held call reserves nothing while it waits, and is charged in the window it runs in", async () => {
    const held = await tenantHoldingDeletes();
    const budget = await budgetFor(held, { name: "deletes per day", tool: "memory.delete", limitAmount: 1 });
    const [first, second] = [await heldDelete(held), await heldDelete(held)];
    expect(await countersOf(held)).toEqual([]);
    const approve = (requestId: string) =>
      voteOnRequest(held.tenant.id, requestId, { principal: `user:${held.users.approver.id}`, role: "approver" }, "approve", null);
    expect((await approve(first.requestId)).outcome).toMatchObject({ status: "executed" });
    // The day is used up: the second, approved now, is refused by the budget when it would run.
    expect((await approve(second.requestId)).outcome).toMatchObject({ status: "denied", decision: { step: "budget" } });
    // As if the day had turned: yesterday's window is full, today's is new; a third call approved now runs.
    await withTenant(held.tenant.id, (db) =>
      db.budgetCounter.updateMany({ where: { tenantId: held.tenant.id }, data: { windowStart: new Date(Date.now() - 2 * 24 * 3600_000) } }),
    );
    const third = await heldDelete(held);
    expect((await approve(third.requestId)).outcome).toMatchObject({ status: "executed" });
    const counters = await countersOf(held);
    expect(counters).toHaveLength(2);
    expect(counters.every((counter) => counter.budgetId === budget.id && counter.used === 1 && counter.reserved === 0)).toBe(true);
  });
});

describe("outbound messages", () => {
  it("count the sends (the Outbox's deliveries too), not the other calls", async () => {
    const fx = await createTenantFixture();
    const budget = await budgetFor(fx, { name: "messages per day", metric: "outbound_messages", limitAmount: 2 });
    const runId = await createRun(fx);
    const send = (text: string) =>
      runGate({ tenantId: fx.tenant.id, runId, principal: member(fx), tool: "message.send", args: { channel: "slack", text } });
    expect(await send("one")).toMatchObject({ status: "executed" });
    expect(await set(fx, runId, "not-a-message")).toMatchObject({ status: "executed" });
    expect(await send("two")).toMatchObject({ status: "executed" });
    const refused = await send("three");
    expect(refused).toMatchObject({ status: "denied", decision: { step: "budget" } });
    expect(refused.decision.explanation).toMatch(/^Budget "messages per day" is used up: 2 of 2 outbound messages this day/);
    expect(await countersOf(fx)).toEqual([{ budgetId: budget.id, used: 2, reserved: 0 }]);
    const delivered = await withTenant(fx.tenant.id, (db) => db.outboxMessage.count({ where: { tenantId: fx.tenant.id } }));
    expect(delivered).toBe(2);
  });
});

describe("tenants", () => {
  it("one tenant's calls never move another tenant's counters, whatever the interleaving", async () => {
    const [a, b] = [await createTenantFixture(), await createTenantFixture()];
    const [budgetA, budgetB] = [await budgetFor(a, { limitAmount: 6 }), await budgetFor(b, { limitAmount: 4 })];
    const runs = { a: await createRun(a), b: await createRun(b) };
    const made = { a: 0, b: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom("a" as const, "b" as const), { minLength: 1, maxLength: 6 }), async (sequence) => {
        for (const who of sequence) {
          const fx = who === "a" ? a : b;
          made[who] += 1;
          await set(fx, runs[who], `k-${who}-${made[who]}`);
        }
        expect(await countersOf(a)).toEqual([{ budgetId: budgetA.id, used: Math.min(made.a, 6), reserved: 0 }]);
        expect(await countersOf(b)).toEqual([{ budgetId: budgetB.id, used: Math.min(made.b, 4), reserved: 0 }]);
      }),
      { numRuns: 8 },
    );
    // Row Level Security: in a's transaction, b's budgets and counters do not exist.
    const seen = await withTenant(a.tenant.id, async (db) => ({
      budgets: await db.budget.count({ where: { id: budgetB.id } }),
      counters: await db.budgetCounter.count({ where: { budgetId: budgetB.id } }),
    }));
    expect(seen).toEqual({ budgets: 0, counters: 0 });
  });
});

describe("the API", () => {
  it("admins set budgets, every change is a version the Trash and history restore, viewers read usage", async () => {
    const fx = await createTenantFixture();
    const tenantSlug = fx.tenant.slug;
    const admin = callerFor(fx.users.admin);
    const created = await admin.budget.create({ tenantSlug, name: "transfers", tool: "payments.transfer", period: "day", limitAmount: 20 });
    expect(created).toMatchObject({ version: 1, used: 0, limitAmount: 20, tool: "payments.transfer" });
    await expect(admin.budget.create({ tenantSlug, name: "transfers", period: "day", limitAmount: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(admin.budget.create({ tenantSlug, name: "bad", period: "week" as "day", limitAmount: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(callerFor(fx.users.member).budget.create({ tenantSlug, name: "x", period: "day", limitAmount: 1 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const raised = await admin.budget.update({ tenantSlug, budgetId: created.id, limitAmount: 30 });
    expect(raised).toMatchObject({ version: 2, limitAmount: 30 });
    expect((await callerFor(fx.users.viewer).budget.list({ tenantSlug })).map((budget) => budget.name)).toEqual(["transfers"]);
    await admin.budget.delete({ tenantSlug, budgetId: created.id });
    expect(await admin.budget.list({ tenantSlug })).toEqual([]);
    await admin.recovery.restoreVersion({ tenantSlug, kind: "budget", id: created.id, version: 1 });
    expect(await admin.budget.list({ tenantSlug })).toMatchObject([{ id: created.id, version: 4, limitAmount: 20 }]);
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findMany({ where: { tenantId: fx.tenant.id, targetType: "budget" }, orderBy: { createdAt: "asc" } }),
    );
    expect(audit.map((entry) => entry.action)).toEqual(["budget.created", "budget.updated", "budget.deleted", "recovery.version_restored"]);
    expect(audit[1]?.data).toMatchObject({ changes: { limitAmount: { from: 20, to: 30 } } });
  });
});
