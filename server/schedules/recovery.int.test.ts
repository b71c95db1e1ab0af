// Cron schedules and heartbeat tasks in the Trash: restore, restore to a version,
// the caps and labels on the way back, the roles, and the purge.
import { describe, expect, it } from "vitest";
import { withTenant } from "@/server/db";
import { callerFor, createTenantFixture } from "@/server/test/factories";
import { heartbeatKind } from "./heartbeat";
import { cronKind } from "./service";
import { SCHEDULE_LIMITS } from "./schemas";
import { createSchedule } from "./service";

describe("schedules in the Trash", () => {
  it("a cancelled schedule is in the Trash and comes back as a new version, with its next run counted from now", async () => {
    const fx = await createTenantFixture();
    const member = callerFor(fx.users.member);
    const tenantSlug = fx.tenant.slug;
    const schedule = await member.schedule.create({
      tenantSlug,
      label: "weekly",
      expression: "0 9 * * 1",
      message: "what do you remember?",
    });
    await member.schedule.cancel({ tenantSlug, scheduleId: schedule.id });
    const trash = await member.recovery.trash({ tenantSlug, kind: "cron" });
    expect(trash.items).toMatchObject([
      { kind: "cron", id: schedule.id, title: "weekly", version: 2, deletedBy: `user:${fx.users.member.email}` },
    ]);
    // Make its stored next run stale, as if it had sat in the Trash for weeks.
    await withTenant(fx.tenant.id, (db) =>
      db.cronSchedule.update({ where: { id: schedule.id }, data: { nextRunAt: new Date("2020-01-06T09:00:00Z") } }),
    );

    await member.recovery.restore({ tenantSlug, kind: "cron", id: schedule.id });
    const [restored] = (await member.schedule.list({ tenantSlug })).schedules;
    expect(restored).toMatchObject({ id: schedule.id, label: "weekly", version: 3 });
    expect(restored?.nextRunAt?.getTime()).toBeGreaterThan(Date.now());
    const versions = await member.recovery.versions({ tenantSlug, kind: "cron", id: schedule.id });
    expect(versions.map((version) => [version.version, version.isDeleted])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
    await expect(member.recovery.restore({ tenantSlug, kind: "cron", id: schedule.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("restore to a version brings back that version's expression, zone and message", async () => {
    const fx = await createTenantFixture();
    const actor = { label: `user:${fx.users.member.id}`, userId: fx.users.member.id };
    const first = await withTenant(fx.tenant.id, (db) =>
      createSchedule(db, fx.tenant.id, actor, {
        label: "report",
        expression: "0 9 * * *",
        timezone: "Europe/Paris",
        message: "first text",
      }),
    );
    // A member edits it (version 2), then brings the first version back.
    const edited = await callerFor(fx.users.member).schedule.update({
      tenantSlug: fx.tenant.slug,
      scheduleId: first.id,
      expression: "30 18 * * *",
      timezone: "UTC",
      message: "second text",
    });
    expect(edited).toMatchObject({ version: 2, expression: "30 18 * * *", timezone: "UTC" });
    expect(edited.nextRunAt?.getUTCHours()).toBe(18);
    await withTenant(fx.tenant.id, (db) => cronKind.restoreVersion(db, fx.tenant.id, first.id, 1, `user:${fx.users.admin.id}`));
    const row = await withTenant(fx.tenant.id, (db) => db.cronSchedule.findUniqueOrThrow({ where: { id: first.id } }));
    expect(row).toMatchObject({ expression: "0 9 * * *", timezone: "Europe/Paris", message: "first text", version: 3, deletedAt: null });
    expect([7, 8]).toContain(row.nextRunAt?.getUTCHours());
    await expect(withTenant(fx.tenant.id, (db) => cronKind.restoreVersion(db, fx.tenant.id, first.id, 9, "user:x"))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("a restore that would pass the cap or reuse an active label is refused with a clear message", async () => {
    const fx = await createTenantFixture();
    const actor = { label: "user:setup", userId: null };
    const old = await withTenant(fx.tenant.id, async (db) => {
      const schedule = await createSchedule(db, fx.tenant.id, actor, {
        label: "dup",
        expression: "0 1 * * *",
        timezone: "UTC",
        message: "m",
      });
      await db.cronSchedule.update({ where: { id: schedule.id }, data: { deletedAt: new Date(), version: 2 } });
      return schedule;
    });
    await withTenant(fx.tenant.id, (db) =>
      createSchedule(db, fx.tenant.id, actor, { label: "dup", expression: "0 2 * * *", timezone: "UTC", message: "m" }),
    );
    await expect(withTenant(fx.tenant.id, (db) => cronKind.restore(db, fx.tenant.id, old.id, "user:x"))).rejects.toMatchObject({
      code: "CONFLICT",
      message: 'A schedule named "dup" already exists. Choose another label or cancel that one first.',
    });
    await withTenant(fx.tenant.id, async (db) => {
      for (let index = 1; index < SCHEDULE_LIMITS.maxActiveSchedules; index += 1) {
        await createSchedule(db, fx.tenant.id, actor, { label: `job ${index}`, expression: "0 3 * * *", timezone: "UTC", message: "m" });
      }
    });
    await expect(withTenant(fx.tenant.id, (db) => cronKind.restore(db, fx.tenant.id, old.id, "user:x"))).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already has 20 active schedules/),
    });
  });

  it("heartbeat tasks are restored by admins only, and come back enabled as they were", async () => {
    const fx = await createTenantFixture();
    const tenantSlug = fx.tenant.slug;
    const admin = callerFor(fx.users.admin);
    const task = await admin.heartbeat.create({ tenantSlug, label: "digest", message: "m", intervalMinutes: 60 });
    await admin.heartbeat.update({ tenantSlug, heartbeatId: task.id, intervalMinutes: 120 });
    await admin.heartbeat.archive({ tenantSlug, heartbeatId: task.id });
    await expect(callerFor(fx.users.member).recovery.restore({ tenantSlug, kind: "heartbeat", id: task.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await admin.recovery.restoreVersion({ tenantSlug, kind: "heartbeat", id: task.id, version: 1 });
    const [back] = await admin.heartbeat.list({ tenantSlug });
    expect(back).toMatchObject({ id: task.id, intervalMinutes: 60, isEnabled: true, version: 4 });
    expect(back?.nextRunAt?.getTime()).toBeGreaterThan(Date.now());
  });

  it("the purge removes what was deleted before the date, with its versions and fire history, and nothing else", async () => {
    const fx = await createTenantFixture();
    const actor = { label: "user:setup", userId: null };
    const [gone, kept, live] = await withTenant(fx.tenant.id, async (db) => {
      const rows = [];
      for (const label of ["gone", "kept", "live"]) {
        rows.push(await createSchedule(db, fx.tenant.id, actor, { label, expression: "0 9 * * *", timezone: "UTC", message: "m" }));
      }
      return rows;
    });
    await withTenant(fx.tenant.id, async (db) => {
      await db.cronSchedule.update({ where: { id: gone?.id }, data: { deletedAt: new Date("2026-01-01T00:00:00Z") } });
      await db.cronSchedule.update({ where: { id: kept?.id }, data: { deletedAt: new Date() } });
      for (const schedule of [gone, live]) {
        await db.scheduleRun.create({
          data: {
            tenantId: fx.tenant.id,
            kind: "cron",
            scheduleId: schedule?.id ?? "",
            label: "x",
            fireAt: new Date(),
            status: "completed",
          },
        });
      }
    });
    const purged = await withTenant(fx.tenant.id, (db) => cronKind.purge(db, fx.tenant.id, new Date("2026-02-01T00:00:00Z")));
    expect(purged).toBe(1);
    const left = await withTenant(fx.tenant.id, async (db) => ({
      schedules: (await db.cronSchedule.findMany({ where: { tenantId: fx.tenant.id }, orderBy: { label: "asc" } })).map((row) => row.label),
      versionsOfGone: await db.cronScheduleVersion.count({ where: { scheduleId: gone?.id } }),
      runs: (await db.scheduleRun.findMany({ where: { tenantId: fx.tenant.id } })).map((run) => run.scheduleId),
    }));
    expect(left).toEqual({ schedules: ["kept", "live"], versionsOfGone: 0, runs: [live?.id] });
    // The database lets the app delete only what is in the Trash, and only history whose schedule is gone.
    const deleted = await withTenant(fx.tenant.id, async (db) => ({
      schedules: (await db.cronSchedule.deleteMany({ where: { tenantId: fx.tenant.id, id: live?.id } })).count,
      runs: (await db.scheduleRun.deleteMany({ where: { tenantId: fx.tenant.id } })).count,
    }));
    expect(deleted).toEqual({ schedules: 0, runs: 0 });
    expect(await withTenant(fx.tenant.id, (db) => heartbeatKind.purge(db, fx.tenant.id, new Date()))).toBe(0);
  });
});
