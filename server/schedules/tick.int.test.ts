// The minute tick: each fire claimed once (also across a restart and concurrent
// ticks), missed fires collapsed, the daily cap refused clearly, heartbeats on
// their grid, taint carried into scheduled runs, and the durable pg-boss tick.
//
// Clocks: the deterministic tests tick one tenant with a simulated "now" past the
// fire time (claimDueFires), so the real ticks other test files' workers run never
// see those schedules as due.
import { Client } from "pg";
import { describe, expect, inject, it } from "vitest";
import { withTenant } from "@/server/db";
import { CRON_SEND_QUEUE, JOB_SCHEMA, QUEUES } from "@/server/jobs/queues";
import { startWorker } from "@/server/jobs/worker";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { createHeartbeat } from "./heartbeat";
import { SCHEDULE_LIMITS } from "./schemas";
import { createSchedule, type TScheduleView } from "./service";
import { claim, claimDueFires, findDue, runFires, type TDue } from "./tick";

const MEMBER = (fx: TTenantFixture) => ({ label: `user:${fx.users.member.id}`, userId: fx.users.member.id });
const SECOND = 1000;
const MINUTE = 60 * SECOND;

async function scheduleFor(
  fx: TTenantFixture,
  input: { label: string; expression: string; timezone?: string; message?: string },
  now = new Date(),
) {
  return withTenant(fx.tenant.id, (db) =>
    createSchedule(db, fx.tenant.id, MEMBER(fx), { timezone: "UTC", message: "what do you remember?", ...input }, { now }),
  );
}

/** One tick of one tenant at a simulated time, turns included. */
async function tick(tenantId: string, now: Date) {
  const claimed = await claimDueFires(tenantId, now);
  await runFires(claimed.fires);
  return claimed;
}

async function firesOf(tenantId: string, scheduleId: string) {
  return withTenant(tenantId, (db) => db.scheduleRun.findMany({ where: { tenantId, scheduleId }, orderBy: { fireAt: "asc" } }));
}

async function nextRunOf(tenantId: string, scheduleId: string): Promise<Date | null> {
  return withTenant(tenantId, async (db) => (await db.cronSchedule.findUniqueOrThrow({ where: { id: scheduleId } })).nextRunAt);
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("the schedule tick", () => {
  it("after a restart, a tick with the clock past the fire time fires once; a second tick does not fire again", async () => {
    const fx = await createTenantFixture();
    const created = new Date("2030-01-15T10:00:00Z");
    const schedule = await scheduleFor(fx, { label: "daily digest", expression: "0 9 * * *" }, created);
    const fireAt = new Date("2030-01-16T09:00:00Z");
    expect(schedule.nextRunAt).toEqual(fireAt);
    // Before the fire time: nothing.
    expect((await tick(fx.tenant.id, new Date(fireAt.getTime() - SECOND))).fires).toHaveLength(0);
    // A fresh process (nothing in memory) ticks 20 s into the fire's minute.
    const first = await tick(fx.tenant.id, new Date(fireAt.getTime() + 20 * SECOND));
    expect(first.fires).toHaveLength(1);
    // The same minute again, and the next minute: no second fire.
    expect((await tick(fx.tenant.id, new Date(fireAt.getTime() + 20 * SECOND))).fires).toHaveLength(0);
    expect((await tick(fx.tenant.id, new Date(fireAt.getTime() + 80 * SECOND))).fires).toHaveLength(0);
    const fires = await firesOf(fx.tenant.id, schedule.id);
    expect(fires).toHaveLength(1);
    expect(fires[0]).toMatchObject({ kind: "cron", fireAt, status: "completed" });
    expect(await nextRunOf(fx.tenant.id, schedule.id)).toEqual(new Date("2030-01-17T09:00:00Z"));
    // The run went through the gate as the schedule's own agent principal.
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: fires[0]?.runId ?? "" } }));
    expect(run).toMatchObject({ principal: "cron:daily digest", status: "completed", tools: ["memory.search"] });
    const decision = await withTenant(fx.tenant.id, (db) =>
      db.event.findFirstOrThrow({ where: { runId: run.id, type: "policy.decision" } }),
    );
    expect(JSON.parse(decision.payload)).toMatchObject({ tool: "memory.search", status: "executed" });
  });

  it("two instances that both read a schedule as due fire it once, whether they claim together or one after the other", async () => {
    const fx = await createTenantFixture();
    const schedule = await scheduleFor(fx, { label: "race", expression: "30 * * * *" }, new Date("2030-02-01T10:00:00Z"));
    const now = new Date("2030-02-01T10:30:05Z");
    // Both read before either claims.
    const [seenByA, seenByB, seenByC] = await Promise.all([
      findDue(fx.tenant.id, now),
      findDue(fx.tenant.id, now),
      findDue(fx.tenant.id, now),
    ]);
    expect([seenByA, seenByB, seenByC].map((due) => due.length)).toEqual([1, 1, 1]);
    const together = await Promise.all([claim(fx.tenant.id, seenByA[0] as TDue, now), claim(fx.tenant.id, seenByB[0] as TDue, now)]);
    const later = await claim(fx.tenant.id, seenByC[0] as TDue, new Date(now.getTime() + 30 * SECOND));
    expect([...together, later].filter((outcome) => outcome !== null)).toHaveLength(1);
    expect(await firesOf(fx.tenant.id, schedule.id)).toHaveLength(1);
  });

  it("after downtime, missed fires collapse into one and the next fire is after the restart", async () => {
    const fx = await createTenantFixture();
    const schedule = await scheduleFor(fx, { label: "every minute", expression: "* * * * *" }, new Date("2030-03-01T10:00:30Z"));
    expect(schedule.nextRunAt).toEqual(new Date("2030-03-01T10:01:00Z"));
    // Down from 10:01 to 10:47:10.
    const claimed = await claimDueFires(fx.tenant.id, new Date("2030-03-01T10:47:10Z"));
    expect(claimed.fires).toHaveLength(1);
    expect(claimed.fires[0]?.fireAt).toEqual(new Date("2030-03-01T10:01:00Z"));
    expect(await nextRunOf(fx.tenant.id, schedule.id)).toEqual(new Date("2030-03-01T10:48:00Z"));
  });

  it("a tenant over its daily cap gets a clear refusal (fire history, event log, audit) and no run; it fires again once under the cap", async () => {
    const fx = await createTenantFixture();
    const schedule = await scheduleFor(fx, { label: "hourly report", expression: "0 * * * *" }, new Date("2030-04-01T09:30:00Z"));
    const fireAt = new Date("2030-04-01T10:00:00Z");
    // The day's budget is spent by earlier scheduled runs (another schedule's, an hour ago).
    await withTenant(fx.tenant.id, (db) =>
      db.scheduleRun.createMany({
        data: Array.from({ length: SCHEDULE_LIMITS.maxRunsPerDay }, (_, index) => ({
          tenantId: fx.tenant.id,
          kind: "cron",
          scheduleId: "00000000-0000-4000-8000-000000000001",
          label: "earlier",
          fireAt: new Date(fireAt.getTime() - 60 * MINUTE - index * MINUTE),
          startedAt: new Date(fireAt.getTime() - 60 * MINUTE),
          status: "completed",
        })),
      }),
    );
    const runsBefore = await withTenant(fx.tenant.id, (db) => db.run.count({ where: { tenantId: fx.tenant.id } }));
    const claimed = await tick(fx.tenant.id, new Date(fireAt.getTime() + 5 * SECOND));
    expect(claimed.fires).toHaveLength(0);
    expect(claimed.refusals).toHaveLength(1);
    expect(claimed.refusals[0]?.reason).toBe(
      `Schedule "hourly report" did not run: this tenant has started ${SCHEDULE_LIMITS.maxRunsPerDay} runs from schedules and heartbeats in the last 24 hours, its limit is ${SCHEDULE_LIMITS.maxRunsPerDay}. It runs again at its next fire time once the count is below the limit.`,
    );
    expect(await withTenant(fx.tenant.id, (db) => db.run.count({ where: { tenantId: fx.tenant.id } }))).toBe(runsBefore);
    expect(await firesOf(fx.tenant.id, schedule.id)).toMatchObject([{ status: "refused", runId: null }]);
    const event = await withTenant(fx.tenant.id, (db) =>
      db.event.findFirstOrThrow({ where: { tenantId: fx.tenant.id, type: "schedule.refused" } }),
    );
    expect(JSON.parse(event.payload)).toMatchObject({
      scheduleId: schedule.id,
      label: "hourly report",
      reason: claimed.refusals[0]?.reason,
    });
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findMany({ where: { tenantId: fx.tenant.id, action: "schedule.run_refused" } }),
    );
    expect(audit).toHaveLength(1);
    // The next hour is refused too: in its history, without repeating the log entry.
    expect((await tick(fx.tenant.id, new Date(fireAt.getTime() + 60 * MINUTE + 5 * SECOND))).refusals).toHaveLength(1);
    expect(await withTenant(fx.tenant.id, (db) => db.event.count({ where: { tenantId: fx.tenant.id, type: "schedule.refused" } }))).toBe(1);
    // A day later the earlier runs are out of the window: it fires.
    const nextDay = await tick(fx.tenant.id, new Date(fireAt.getTime() + 24 * 60 * MINUTE + 5 * SECOND));
    expect(nextDay.fires).toHaveLength(1);
    expect((await firesOf(fx.tenant.id, schedule.id)).map((fire) => fire.status)).toEqual(["refused", "refused", "completed"]);
  });

  it("heartbeat tasks fire on their interval grid; a disabled one does not fire", async () => {
    const fx = await createTenantFixture();
    const created = new Date("2030-05-01T10:00:20Z");
    const actor = { label: `user:${fx.users.admin.id}`, userId: fx.users.admin.id };
    const [on, off] = await withTenant(fx.tenant.id, async (db) => [
      await createHeartbeat(
        db,
        fx.tenant.id,
        actor,
        { label: "inbox", message: "what do you remember?", intervalMinutes: 15, timezone: "UTC", isEnabled: true },
        created,
      ),
      await createHeartbeat(
        db,
        fx.tenant.id,
        actor,
        { label: "paused", message: "what do you remember?", intervalMinutes: 15, timezone: "UTC", isEnabled: false },
        created,
      ),
    ]);
    expect(on?.nextRunAt).toEqual(new Date("2030-05-01T10:16:00Z"));
    const claimed = await tick(fx.tenant.id, new Date("2030-05-01T10:16:30Z"));
    expect(claimed.fires.map((fire) => fire.scheduleId)).toEqual([on?.id]);
    expect(await firesOf(fx.tenant.id, off?.id ?? "")).toHaveLength(0);
    const fires = await firesOf(fx.tenant.id, on?.id ?? "");
    expect(fires).toMatchObject([{ kind: "heartbeat", status: "completed" }]);
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: fires[0]?.runId ?? "" } }));
    expect(run.principal).toBe("heartbeat:inbox");
    const next = await withTenant(fx.tenant.id, (db) => db.heartbeatTask.findUniqueOrThrow({ where: { id: on?.id ?? "" } }));
    expect(next.nextRunAt).toEqual(new Date("2030-05-01T10:31:00Z"));
  });

  it("a schedule created by a tainted run starts tainted runs, so untrusted content cannot launder itself through a schedule", async () => {
    const fx = await createTenantFixture();
    const schedule: TScheduleView = await withTenant(fx.tenant.id, (db) =>
      createSchedule(
        db,
        fx.tenant.id,
        { label: "agent:planted", userId: null },
        { label: "planted", expression: "0 9 * * *", timezone: "UTC", message: "what do you remember?" },
        { isTainted: true, now: new Date("2030-06-01T00:00:00Z") },
      ),
    );
    await tick(fx.tenant.id, new Date("2030-06-01T09:00:10Z"));
    const [fire] = await firesOf(fx.tenant.id, schedule.id);
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: fire?.runId ?? "" } }));
    expect(run.isTainted).toBe(true);
  });
});

describe("the durable tick (pg-boss)", () => {
  // Real time: the worker's own cron sends the minute's tick, so this waits for it
  // (up to a minute and ~15 s; usually less).
  it(
    "the minute tick survives a restart: a schedule due while the process was down fires once, from the new worker's cron",
    { timeout: 120_000 },
    async () => {
      const databaseUrl = inject("databaseUrl");
      const pg = new Client({ connectionString: databaseUrl });
      await pg.connect();
      const fx = await createTenantFixture();
      try {
        const first = await startWorker(databaseUrl);
        await first.stop({ graceful: false, wait: true });
        // The process is gone; its schedule is not, and pg-boss's cron hand-off queue exists
        // (without it, pg-boss drops every cron job silently).
        const registered = await pg.query<{ cron: string }>(`SELECT cron FROM ${JOB_SCHEMA}.schedule WHERE name = $1`, [
          QUEUES.scheduleTick.name,
        ]);
        expect(registered.rows).toEqual([{ cron: "* * * * *" }]);
        expect((await pg.query(`SELECT 1 FROM ${JOB_SCHEMA}.queue WHERE name = $1`, [CRON_SEND_QUEUE])).rowCount).toBe(1);

        // While it is down, a schedule's fire time passes.
        const schedule = await scheduleFor(fx, { label: "while down", expression: "0 9 * * *" });
        const missed = new Date(Date.now() - 5 * SECOND);
        await withTenant(fx.tenant.id, (db) => db.cronSchedule.update({ where: { id: schedule.id }, data: { nextRunAt: missed } }));

        const second = await startWorker(databaseUrl);
        try {
          await until(async () => (await firesOf(fx.tenant.id, schedule.id)).some((fire) => fire.status === "completed"), 100_000);
        } finally {
          await second.stop({ graceful: false, wait: true });
        }
        const fires = await firesOf(fx.tenant.id, schedule.id);
        expect(fires).toHaveLength(1);
        expect(fires[0]?.fireAt).toEqual(missed);
        // Within the minute after the restart.
        expect((fires[0]?.startedAt.getTime() ?? Infinity) - missed.getTime()).toBeLessThan(80 * SECOND);
        expect((await nextRunOf(fx.tenant.id, schedule.id))?.getTime()).toBeGreaterThan(Date.now());
      } finally {
        await pg.end();
      }
    },
  );
});
