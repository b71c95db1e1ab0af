// Inputs of the schedule and heartbeat procedures and tools. Expressions and time
// zones are checked in depth by ./cron.ts (clear messages); here only their shape.
import { z } from "zod";
import { zText } from "@/server/validation";

/** Per-tenant caps. Deployment-wide constants for now (docs/schedules.md). */
export const SCHEDULE_LIMITS = {
  /** Cron schedules a tenant may have active at once. */
  maxActiveSchedules: 20,
  /** Heartbeat tasks a tenant may have (enabled or not, not deleted). */
  maxHeartbeatTasks: 10,
  /** Runs started by cron schedules and heartbeat tasks together, in any 24 hours. */
  maxRunsPerDay: 100,
} as const;

export const ZLabel = zText({ max: 80 });
export const ZExpression = zText({ max: 100 });
export const ZTimezone = zText({ max: 64 });
/** What the agent is asked to do at each fire. */
export const ZScheduleMessage = zText({ max: 2000 });
export const ZIntervalMinutes = z
  .number()
  .int({ message: "must be a whole number of minutes" })
  .min(1, { message: "must be at least 1 minute" })
  .max(43_200, { message: "must be at most 30 days (43,200 minutes)" });

export const ZCreateSchedule = z.object({
  label: ZLabel,
  expression: ZExpression,
  timezone: ZTimezone.default("UTC"),
  message: ZScheduleMessage,
});
export type TCreateSchedule = z.infer<typeof ZCreateSchedule>;

export const ZScheduleRef = z.object({ scheduleId: z.uuid() });
/** An edit: the fields given replace the current ones (a new version). */
export const ZUpdateSchedule = ZScheduleRef.extend({
  label: ZLabel.optional(),
  expression: ZExpression.optional(),
  timezone: ZTimezone.optional(),
  message: ZScheduleMessage.optional(),
});
export type TUpdateSchedule = z.infer<typeof ZUpdateSchedule>;

export const ZHeartbeatFields = z.object({
  label: ZLabel,
  message: ZScheduleMessage,
  intervalMinutes: ZIntervalMinutes.nullish(),
  expression: ZExpression.nullish(),
  timezone: ZTimezone.default("UTC"),
  isEnabled: z.boolean().default(true),
});
export const ZCreateHeartbeat = ZHeartbeatFields.refine((value) => (value.intervalMinutes == null) !== (value.expression == null), {
  message: "give either intervalMinutes or a cron expression",
});
export type TCreateHeartbeat = z.infer<typeof ZCreateHeartbeat>;

export const ZHeartbeatRef = z.object({ heartbeatId: z.uuid() });
/** An edit: the fields given replace the current ones (a new version); a new cadence replaces the other kind. */
export const ZUpdateHeartbeat = ZHeartbeatRef.extend({
  label: ZLabel.optional(),
  message: ZScheduleMessage.optional(),
  intervalMinutes: ZIntervalMinutes.optional(),
  expression: ZExpression.optional(),
  timezone: ZTimezone.optional(),
  isEnabled: z.boolean().optional(),
}).refine((value) => value.intervalMinutes === undefined || value.expression === undefined, {
  message: "give either intervalMinutes or a cron expression, not both",
});
export type TUpdateHeartbeat = z.infer<typeof ZUpdateHeartbeat>;
