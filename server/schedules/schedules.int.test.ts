// cron.schedule / cron.list / cron.cancel through the gate, the caps, clear errors
// for bad expressions and time zones, and the schedule and heartbeat routers.
import { describe, expect, it } from "vitest";
import { runAgentTurn } from "@/server/agent/loop";
import { withTenant } from "@/server/db";
import type { TPlanner } from "@/server/events/replay";
import type { TGateOutcome } from "@/server/gate/types";
import { callerFor, createTenantFixture, type TTenantFixture } from "@/server/test/factories";
import { toolCatalog } from "@/server/tools/catalog";
import { SCHEDULE_LIMITS } from "./schemas";
import { createSchedule } from "./service";

/** One agent turn whose planner proposes exactly this call; the gate decides. */
async function agentCalls(fx: TTenantFixture, tool: string, args: unknown): Promise<TGateOutcome> {
  const catalog = await toolCatalog("saas");
  const planner: TPlanner = async ({ results }) => (results.length > 0 ? { final: "done" } : { call: { tool, args } });
  const result = await runAgentTurn(catalog, planner, {
    tenantId: fx.tenant.id,
    principal: { type: "User", id: fx.users.member.id, role: "member", label: `user:${fx.users.member.email}` },
    message: `call ${tool}`,
  });
  const outcome = result.steps[0]?.outcome;
  if (!outcome) throw new Error("the planner's call did not reach the gate");
  return outcome;
}

function resultOf(outcome: TGateOutcome): Record<string, unknown> {
  if (outcome.status !== "executed") throw new Error(`expected executed, got ${outcome.status}: ${JSON.stringify(outcome)}`);
  return outcome.result as Record<string, unknown>;
}

function errorOf(outcome: TGateOutcome): string {
  if (outcome.status !== "failed") throw new Error(`expected failed, got ${outcome.status}`);
  return outcome.error;
}

async function activeCount(tenantId: string): Promise<number> {
  return withTenant(tenantId, (db) => db.cronSchedule.count({ where: { tenantId, deletedAt: null } }));
}

describe("cron tools through the gate", () => {
  it("an agent schedules, lists and cancels; each change is a version and is audited", async () => {
    const fx = await createTenantFixture();
    const created = resultOf(
      await agentCalls(fx, "cron.schedule", {
        label: "standup",
        expression: "0 9 * * 1-5",
        timezone: "Europe/Paris",
        message: "what do you remember?",
      }),
    );
    const scheduled = created.scheduled as { id: string; nextRunAt: string; nextRunLocal: string; timezone: string };
    expect(scheduled.timezone).toBe("Europe/Paris");
    // 09:00 in Paris is 07:00 or 08:00 UTC; shown as 09:00 in the schedule's zone.
    expect(new Date(scheduled.nextRunAt).getUTCHours()).toBeOneOf([7, 8]);
    expect(scheduled.nextRunLocal).toMatch(/09:00/);

    const listed = resultOf(await agentCalls(fx, "cron.list", {}));
    expect(listed).toMatchObject({
      schedules: [{ id: scheduled.id, label: "standup", expression: "0 9 * * 1-5" }],
      limits: { activeSchedules: 1, maxActiveSchedules: SCHEDULE_LIMITS.maxActiveSchedules, maxRunsPerDay: SCHEDULE_LIMITS.maxRunsPerDay },
    });

    expect(resultOf(await agentCalls(fx, "cron.cancel", { label: "standup" }))).toMatchObject({ id: scheduled.id, cancelled: true });
    expect(resultOf(await agentCalls(fx, "cron.list", {}))).toMatchObject({ schedules: [] });

    const versions = await withTenant(fx.tenant.id, (db) =>
      db.cronScheduleVersion.findMany({ where: { scheduleId: scheduled.id }, orderBy: { version: "asc" } }),
    );
    expect(versions.map((version) => [version.version, version.isDeleted])).toEqual([
      [1, false],
      [2, true],
    ]);
    // Tools act as the gate's principal string.
    expect(versions[0]?.actor).toBe(`user:${fx.users.member.id}`);
    const audit = await withTenant(fx.tenant.id, (db) =>
      db.auditLog.findMany({ where: { tenantId: fx.tenant.id, targetId: scheduled.id }, orderBy: { createdAt: "asc" } }),
    );
    expect(audit.map((entry) => [entry.action, entry.actorUserId])).toEqual([
      ["schedule.create", fx.users.member.id],
      ["schedule.cancel", fx.users.member.id],
    ]);
  });

  it("a bad expression or time zone fails the call with a clear message and stores nothing", async () => {
    const fx = await createTenantFixture();
    const base = { label: "bad", timezone: "UTC", message: "what do you remember?" };
    expect(errorOf(await agentCalls(fx, "cron.schedule", { ...base, expression: "61 * * * *" }))).toMatch(
      /"61 \* \* \* \*" is not a valid cron expression: .*61/,
    );
    expect(errorOf(await agentCalls(fx, "cron.schedule", { ...base, expression: "*/10 * * * * *" }))).toMatch(
      /Schedules run at most once a minute: give five fields/,
    );
    expect(errorOf(await agentCalls(fx, "cron.schedule", { ...base, expression: "0 9 * * *", timezone: "Moon/Tranquility" }))).toMatch(
      /Unknown time zone "Moon\/Tranquility". Use an IANA time zone name like Europe\/Paris or UTC/,
    );
    expect(await activeCount(fx.tenant.id)).toBe(0);
  });

  it("over the cap of active schedules the call fails with a clear message; a label in use is refused", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, async (db) => {
      for (let index = 0; index < SCHEDULE_LIMITS.maxActiveSchedules; index += 1) {
        await createSchedule(
          db,
          fx.tenant.id,
          { label: "user:setup", userId: null },
          {
            label: `job ${index}`,
            expression: `${index} 3 * * *`,
            timezone: "UTC",
            message: "what do you remember?",
          },
        );
      }
    });
    const args = { label: "one too many", expression: "0 9 * * *", message: "what do you remember?" };
    expect(errorOf(await agentCalls(fx, "cron.schedule", args))).toBe(
      `This tenant already has ${SCHEDULE_LIMITS.maxActiveSchedules} active schedules, the most it may have (${SCHEDULE_LIMITS.maxActiveSchedules}). Cancel one before adding another.`,
    );
    expect(await activeCount(fx.tenant.id)).toBe(SCHEDULE_LIMITS.maxActiveSchedules);
    resultOf(await agentCalls(fx, "cron.cancel", { label: "job 0" }));
    expect(errorOf(await agentCalls(fx, "cron.schedule", { ...args, label: "job 1" }))).toMatch(/A schedule named "job 1" already exists/);
    resultOf(await agentCalls(fx, "cron.schedule", args));
    expect(await activeCount(fx.tenant.id)).toBe(SCHEDULE_LIMITS.maxActiveSchedules);
  });

  it("an agent cannot cancel another tenant's schedule, by id or by label", async () => {
    const [fx, other] = await Promise.all([createTenantFixture(), createTenantFixture()]);
    const theirs = await withTenant(other.tenant.id, (db) =>
      createSchedule(
        db,
        other.tenant.id,
        { label: "user:other", userId: null },
        {
          label: "theirs",
          expression: "0 9 * * *",
          timezone: "UTC",
          message: "what do you remember?",
        },
      ),
    );
    expect(errorOf(await agentCalls(fx, "cron.cancel", { id: theirs.id }))).toBe("Schedule not found.");
    expect(errorOf(await agentCalls(fx, "cron.cancel", { label: "theirs" }))).toBe('Schedule "theirs" not found.');
    expect(await activeCount(other.tenant.id)).toBe(1);
  });
});

describe("chat", () => {
  it("a member schedules, lists and cancels from the chat with the scripted planner", async () => {
    const fx = await createTenantFixture();
    const caller = callerFor(fx.users.member);
    const tenantSlug = fx.tenant.slug;
    const { id: conversationId } = await caller.conversation.create({ tenantSlug });
    const send = (message: string) => caller.conversation.send({ tenantSlug, conversationId, message });
    expect((await send("schedule `0 9 * * 1-5` in Europe/Paris: what do you remember?")).status).toBe("completed");
    const [schedule] = (await caller.schedule.list({ tenantSlug })).schedules;
    expect(schedule).toMatchObject({
      label: "what-do-you",
      expression: "0 9 * * 1-5",
      timezone: "Europe/Paris",
      message: "what do you remember?",
    });
    expect(schedule?.createdBy).toBe(`user:${fx.users.member.email}`);
    expect((await send("list schedules")).status).toBe("completed");
    expect((await send("cancel schedule what-do-you")).status).toBe("completed");
    expect((await caller.schedule.list({ tenantSlug })).schedules).toEqual([]);
  });
});

describe("schedule and heartbeat routers", () => {
  it("members create, list and cancel schedules; the list shows the next run in the schedule's zone", async () => {
    const fx = await createTenantFixture();
    const caller = callerFor(fx.users.member);
    const tenantSlug = fx.tenant.slug;
    const paris = await caller.schedule.create({
      tenantSlug,
      label: "paris",
      expression: "0 9 * * *",
      timezone: "Europe/Paris",
      message: "m",
    });
    const utc = await caller.schedule.create({ tenantSlug, label: "utc", expression: "0 9 * * *", message: "m" });
    // Same wall-clock time, different instants: Paris is one or two hours ahead of UTC.
    const gap = (utc.nextRunAt?.getTime() ?? 0) - (paris.nextRunAt?.getTime() ?? 0);
    expect([60, 120, 60 - 24 * 60, 120 - 24 * 60]).toContain(gap / 60_000);
    expect(paris.nextRunLocal).toMatch(/09:00/);
    const list = await caller.schedule.list({ tenantSlug });
    expect(list.schedules.map((schedule) => schedule.label)).toEqual(["paris", "utc"]);
    await caller.schedule.cancel({ tenantSlug, scheduleId: paris.id });
    expect((await caller.schedule.list({ tenantSlug })).schedules.map((schedule) => schedule.label)).toEqual(["utc"]);
    await expect(
      caller.schedule.create({ tenantSlug, label: "bad", expression: "0 9 * * *", timezone: "Nowhere/Land", message: "m" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/Unknown time zone "Nowhere\/Land"/) });
  });

  it("admins manage heartbeat tasks: interval or expression, edits are versions, disabled ones have no next run", async () => {
    const fx = await createTenantFixture();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const task = await admin.heartbeat.create({ tenantSlug, label: "inbox", message: "what do you remember?", intervalMinutes: 30 });
    expect(task).toMatchObject({ intervalMinutes: 30, expression: null, isEnabled: true, version: 1 });
    expect(task.nextRunAt?.getUTCSeconds()).toBe(0);
    const edited = await admin.heartbeat.update({ tenantSlug, heartbeatId: task.id, expression: "0 8 * * 1", timezone: "Asia/Tokyo" });
    expect(edited).toMatchObject({ intervalMinutes: null, expression: "0 8 * * 1", timezone: "Asia/Tokyo", version: 2 });
    expect(edited.nextRunAt?.getUTCHours()).toBe(23); // 08:00 in Tokyo
    const paused = await admin.heartbeat.update({ tenantSlug, heartbeatId: task.id, isEnabled: false });
    expect(paused).toMatchObject({ isEnabled: false, nextRunAt: null, version: 3 });
    await expect(
      admin.heartbeat.create({ tenantSlug, label: "both", message: "m", intervalMinutes: 5, expression: "* * * * *" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.heartbeat.create({ tenantSlug, label: "inbox", message: "m", intervalMinutes: 5 })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    // Members see them but do not change them.
    expect((await callerFor(fx.users.member).heartbeat.list({ tenantSlug })).map((item) => item.label)).toEqual(["inbox"]);
    await expect(callerFor(fx.users.member).heartbeat.archive({ tenantSlug, heartbeatId: task.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await admin.heartbeat.archive({ tenantSlug, heartbeatId: task.id });
    expect(await admin.heartbeat.list({ tenantSlug })).toEqual([]);
    const versions = await withTenant(fx.tenant.id, (db) => db.heartbeatTaskVersion.count({ where: { taskId: task.id } }));
    expect(versions).toBe(4);
  });

  it("the fire history lists refusals and runs, newest first, for members of the tenant only", async () => {
    const [fx, other] = await Promise.all([createTenantFixture({ withEventLog: true }), createTenantFixture()]);
    const runs = await callerFor(fx.users.member).schedule.runs({ tenantSlug: fx.tenant.slug });
    expect(runs).toMatchObject([{ kind: "cron", label: "fixture", status: "completed", runId: fx.runId }]);
    await expect(callerFor(other.users.owner).schedule.runs({ tenantSlug: fx.tenant.slug })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
