// Two app processes on one database ticking over the same due cron schedules and
// heartbeat tasks: each fires once per tick. The second process is a real OS process
// (server/test/second-process.ts); both start each tick at the same instant (an
// advisory-lock barrier), at a simulated time far ahead, so the real ticks of other
// test files' workers never see these schedules as due.
//
// Protections: a fire is claimed by advancing next_run_at only if it still holds the
// value read (a conditional update), and recorded in schedule_runs, unique on
// (schedule_id, fire_at), inserted with skipDuplicates; claims of a tenant are
// serialized by its schedule lock (an advisory transaction lock). Remove the condition
// and the unique index both and each process fires every schedule: two runs a tick.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { atOnce, startSecondProcess, type TSecondProcess } from "@/server/test/second-process";
import { createHeartbeat } from "./heartbeat";
import { createSchedule } from "./service";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

let second: TSecondProcess;
beforeAll(async () => {
  second = await startSecondProcess();
});
afterAll(async () => {
  await second?.stop();
});

/** Every-minute cron schedules and one-minute heartbeat tasks, all first due a minute after `created` (a whole minute). */
async function dueEveryMinute(fx: TTenantFixture, created: Date, counts: { cron: number; heartbeat: number }) {
  const actor = { label: `user:${fx.users.admin.id}`, userId: fx.users.admin.id };
  return withTenant(fx.tenant.id, async (db) => {
    const ids: { id: string; principal: string }[] = [];
    for (let index = 0; index < counts.cron; index += 1) {
      const label = `cron ${index}`;
      const made = await createSchedule(
        db,
        fx.tenant.id,
        actor,
        { label, expression: "* * * * *", timezone: "UTC", message: "what do you remember?" },
        { now: created },
      );
      ids.push({ id: made.id, principal: `cron:${label}` });
    }
    for (let index = 0; index < counts.heartbeat; index += 1) {
      const label = `heartbeat ${index}`;
      const made = await createHeartbeat(
        db,
        fx.tenant.id,
        actor,
        { label, message: "what do you remember?", intervalMinutes: 1, timezone: "UTC", isEnabled: true },
        created,
      );
      ids.push({ id: made.id, principal: `heartbeat:${label}` });
    }
    return ids;
  });
}

/** Each schedule's fires (schedule_runs) and the agent runs started under its principal. */
async function firesOf(fx: TTenantFixture, schedules: { id: string; principal: string }[]) {
  return withTenant(fx.tenant.id, async (db) =>
    Promise.all(
      schedules.map(async (schedule) => ({
        fires: await db.scheduleRun.findMany({
          where: { tenantId: fx.tenant.id, scheduleId: schedule.id },
          orderBy: { fireAt: "asc" },
          select: { fireAt: true, status: true },
        }),
        runs: await db.run.count({ where: { tenantId: fx.tenant.id, principal: schedule.principal } }),
      })),
    ),
  );
}

describe("two app processes on one database: the schedule tick", () => {
  it("both tick at the same instant over the same due schedules and heartbeats: each fires once per tick", async () => {
    const fx = await createTenantFixture();
    const created = new Date("2031-03-01T10:00:00Z");
    const schedules = await dueEveryMinute(fx, created, { cron: 4, heartbeat: 3 });
    const ticks = [new Date("2031-03-01T10:01:05Z"), new Date("2031-03-01T10:02:05Z")];

    for (const now of ticks) {
      const { here, there } = await atOnce(second, "tick", { tenantId: fx.tenant.id, now: now.toISOString() });
      // Between them, every schedule once: none fired by both, none by neither.
      const fired = [...here.fired, ...there.fired];
      expect(fired.toSorted()).toEqual(schedules.map((schedule) => schedule.id).toSorted());
      expect(here.refused + there.refused).toBe(0);
    }

    for (const { fires, runs } of await firesOf(fx, schedules)) {
      expect(fires.map((fire) => fire.fireAt)).toEqual([new Date("2031-03-01T10:01:00Z"), new Date("2031-03-01T10:02:00Z")]);
      expect(fires.map((fire) => fire.status)).toEqual(["completed", "completed"]);
      expect(runs).toBe(ticks.length);
    }
  });

  it("instances whose clocks are seconds apart, ticking in the same minute, still fire each schedule once", async () => {
    const fx = await createTenantFixture();
    const schedules = await dueEveryMinute(fx, new Date("2031-04-01T08:59:00Z"), { cron: 3, heartbeat: 2 });
    const { here, there } = await atOnce(
      second,
      "tick",
      { tenantId: fx.tenant.id, now: "2031-04-01T09:00:02Z" },
      { tenantId: fx.tenant.id, now: "2031-04-01T09:00:09Z" },
    );
    expect([...here.fired, ...there.fired].toSorted()).toEqual(schedules.map((schedule) => schedule.id).toSorted());
    for (const { fires, runs } of await firesOf(fx, schedules)) {
      expect(fires).toHaveLength(1);
      expect(runs).toBe(1);
    }
    // And the next minute's tick, by either, fires each once more.
    const next = await atOnce(second, "tick", {
      tenantId: fx.tenant.id,
      now: new Date(Date.parse("2031-04-01T09:00:09Z") + MINUTE).toISOString(),
    });
    expect(next.here.fired.length + next.there.fired.length).toBe(schedules.length);
    for (const { runs } of await firesOf(fx, schedules)) expect(runs).toBe(2);
  });
});
