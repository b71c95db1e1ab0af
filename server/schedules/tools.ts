// cron.schedule / cron.list / cron.cancel: an agent schedules its own future runs.
// Each fire starts a new agent turn through the gate as the schedule's own agent
// principal ("cron:<id>"), so a schedule can never do more than policies allow at
// the time it fires. A schedule made by a tainted run stays tainted.
import { z } from "zod";
import { withTenant } from "@/server/db";
import type { TToolDefinition } from "@/server/tools/types";
import { SCHEDULE_LIMITS, ZExpression, ZLabel, ZScheduleMessage, ZTimezone } from "./schemas";
import { actorFromPrincipal, cancelSchedule, createSchedule, listSchedules, type TScheduleView } from "./service";

function brief(schedule: TScheduleView) {
  return {
    id: schedule.id,
    label: schedule.label,
    expression: schedule.expression,
    timezone: schedule.timezone,
    message: schedule.message,
    nextRunAt: schedule.nextRunAt?.toISOString() ?? null,
    nextRunLocal: schedule.nextRunLocal,
    lastRunAt: schedule.lastRunAt?.toISOString() ?? null,
  };
}

type TScheduleArgs = { label: string; expression: string; timezone?: string; message: string };

export const cronSchedule: TToolDefinition<TScheduleArgs> = {
  name: "cron.schedule",
  description:
    "Schedule a recurring task: at each time matching the cron expression (five fields: minute hour day-of-month month day-of-week, " +
    'e.g. "0 9 * * 1-5" for 09:00 on weekdays; at most once a minute) in the IANA time zone given (default UTC), ' +
    "a new agent run starts with `message` as its request. Each run passes the policy gate like any other. " +
    `A tenant may have ${SCHEDULE_LIMITS.maxActiveSchedules} active schedules and ${SCHEDULE_LIMITS.maxRunsPerDay} scheduled runs a day.`,
  input: z.object({ label: ZLabel, expression: ZExpression, timezone: ZTimezone.optional(), message: ZScheduleMessage }).strict(),
  safetyClass: "write_internal",
  capability: "api",
  execute: (context, args) =>
    withTenant(context.tenantId, async (db) => {
      const run = await db.run.findFirst({ where: { id: context.runId, tenantId: context.tenantId }, select: { isTainted: true } });
      const schedule = await createSchedule(
        db,
        context.tenantId,
        actorFromPrincipal(context.principal),
        { ...args, timezone: args.timezone ?? "UTC" },
        { isTainted: run?.isTainted ?? false },
      );
      return { scheduled: brief(schedule) };
    }),
};

export const cronList: TToolDefinition<Record<string, never>> = {
  name: "cron.list",
  description: "List this tenant's active schedules with their next run (UTC and in the schedule's time zone), and the tenant's limits.",
  input: z.object({}).strict(),
  safetyClass: "read_only",
  capability: "api",
  execute: (context) =>
    withTenant(context.tenantId, async (db) => {
      const { schedules, limits } = await listSchedules(db, context.tenantId);
      return { schedules: schedules.map(brief), limits };
    }),
};

export const cronCancel: TToolDefinition<{ id?: string; label?: string }> = {
  name: "cron.cancel",
  description: "Cancel a schedule by its id or its label. It stops firing; a person can restore it from the Trash.",
  input: z
    .object({ id: z.uuid().optional(), label: ZLabel.optional() })
    .strict()
    .refine((args) => Boolean(args.id ?? args.label), { message: "give the schedule's id or its label" }),
  safetyClass: "write_internal",
  capability: "api",
  execute: (context, args) =>
    withTenant(context.tenantId, (db) => cancelSchedule(db, context.tenantId, actorFromPrincipal(context.principal), args)),
};

export const CRON_TOOLS = [cronSchedule, cronList, cronCancel];
