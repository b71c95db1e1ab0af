// Cron schedules: create, list, cancel (soft delete), each change a version. The
// same functions back the cron.* tools (an agent schedules its own future runs)
// and the Schedules page. Firing lives in ./tick.ts.
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { displayActors } from "@/server/recovery/actors";
import { versionedKind } from "@/server/recovery/versioned";
import { firstFire, formatInZone, normalizeExpression, normalizeTimezone } from "./cron";
import { SCHEDULE_LIMITS, type TCreateSchedule, type TUpdateSchedule } from "./schemas";
import { isUuid } from "@/server/validation";
import { userIdOf } from "@/server/principals";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Who made a change: "user:<email or id>" or "agent:<id>", and the user id for the audit log when it is a person. */
export type TActor = { label: string; userId: string | null };

/** A tool's principal ("user:<uuid>" or "agent:<id>") as an actor. */
export function actorFromPrincipal(principal: string): TActor {
  const userId = userIdOf(principal);
  return { label: principal, userId: userId && isUuid(userId) ? userId : null };
}

export type TScheduleView = {
  id: string;
  label: string;
  expression: string;
  timezone: string;
  message: string;
  nextRunAt: Date | null;
  /** The next fire in the schedule's own time zone, as people read it. */
  nextRunLocal: string | null;
  lastRunAt: Date | null;
  isTainted: boolean;
  createdBy: string;
  createdAt: Date;
  version: number;
};

type TScheduleRow = Awaited<ReturnType<TenantDb["cronSchedule"]["findFirstOrThrow"]>>;

export function scheduleView(row: TScheduleRow): TScheduleView {
  return {
    id: row.id,
    label: row.label,
    expression: row.expression,
    timezone: row.timezone,
    message: row.message,
    nextRunAt: row.nextRunAt,
    nextRunLocal: row.nextRunAt ? formatInZone(row.nextRunAt, row.timezone) : null,
    lastRunAt: row.lastRunAt,
    isTainted: row.isTainted,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    version: row.version,
  };
}

/**
 * Serializes a tenant's schedule changes and fire claims (transaction-scoped), so
 * caps hold under concurrent calls. Other tenants never wait on it.
 */
export async function lockTenantSchedules(db: TenantDb, tenantId: string): Promise<void> {
  await db.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`schedules:${tenantId}`}, 0))::text`;
}

/** Runs started by schedules and heartbeats in the 24 hours before `now` (refused fires do not count). */
export async function countRecentRuns(db: TenantDb, tenantId: string, now: Date): Promise<number> {
  return db.scheduleRun.count({
    where: { tenantId, status: { not: "refused" }, startedAt: { gt: new Date(now.getTime() - DAY_MS) } },
  });
}

export async function assertScheduleRoom(db: TenantDb, tenantId: string): Promise<void> {
  const active = await db.cronSchedule.count({ where: { tenantId, deletedAt: null } });
  if (active >= SCHEDULE_LIMITS.maxActiveSchedules) {
    throw new AppError(
      "CONFLICT",
      `This tenant already has ${active} active schedules, the most it may have (${SCHEDULE_LIMITS.maxActiveSchedules}). Cancel one before adding another.`,
    );
  }
}

export async function assertLabelFree(db: TenantDb, tenantId: string, label: string, exceptId?: string): Promise<void> {
  const clash = await db.cronSchedule.findFirst({
    where: { tenantId, label, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (clash) throw new AppError("CONFLICT", `A schedule named "${label}" already exists. Choose another label or cancel that one first.`);
}

export type TScheduleContent = { label: string; expression: string; timezone: string; message: string };

/**
 * Cron schedules as a versioned, recoverable kind (server/recovery/versioned.ts). A
 * restore is a new version: the schedule comes back active, its next fire counted from
 * now (no burst for the time it was in the Trash), within the tenant's cap and under a
 * label no active schedule uses.
 */
export const cronKind = versionedKind<TScheduleContent>({
  kind: "cron",
  label: "Schedule",
  tables: {
    entity: "cron_schedules",
    versions: "cron_schedule_versions",
    parent: "schedule_id",
    content: {
      label: { column: "label" },
      expression: { column: "expression" },
      timezone: { column: "timezone" },
      message: { column: "message" },
    },
    title: "label",
    // A cancel is the schedule's last change, so its last actor cancelled it.
    hasDeletedBy: false,
  },
  check: async (db, tenantId, row, content) => {
    await lockTenantSchedules(db, tenantId);
    if (row.deletedAt) await assertScheduleRoom(db, tenantId);
    await assertLabelFree(db, tenantId, content.label, row.id);
    return { ...content, expression: normalizeExpression(content.expression), timezone: normalizeTimezone(content.timezone) };
  },
  also: (row, content, now) => ({ next_run_at: firstFire({ expression: content.expression, timezone: content.timezone }, now, row.id) }),
  afterPurge: (db, tenantId, ids) => purgeFireHistory(db, tenantId, ids),
});

/** The fire history of schedules and heartbeat tasks removed for good (the database allows only that). */
export async function purgeFireHistory(db: TenantDb, tenantId: string, ids: string[]): Promise<void> {
  await db.scheduleRun.deleteMany({ where: { tenantId, scheduleId: { in: ids } } });
}

export async function createSchedule(
  db: TenantDb,
  tenantId: string,
  actor: TActor,
  input: TCreateSchedule,
  options: { isTainted?: boolean; now?: Date } = {},
): Promise<TScheduleView> {
  const now = options.now ?? new Date();
  const expression = normalizeExpression(input.expression);
  const timezone = normalizeTimezone(input.timezone);
  const id = randomUUID();
  const nextRunAt = firstFire({ expression, timezone }, now, id);
  await lockTenantSchedules(db, tenantId);
  await assertScheduleRoom(db, tenantId);
  await assertLabelFree(db, tenantId, input.label);
  await cronKind.create(db, tenantId, { label: input.label, expression, timezone, message: input.message }, actor.label, {
    id,
    now,
    also: { is_tainted: options.isTainted ?? false, created_by: actor.label, next_run_at: nextRunAt },
  });
  const row = await db.cronSchedule.findFirstOrThrow({ where: { id, tenantId } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "schedule.create",
    targetType: "cron_schedule",
    targetId: row.id,
    data: { label: row.label, expression, timezone, actor: actor.label },
  });
  return scheduleView(row);
}

export async function listSchedules(db: TenantDb, tenantId: string, now = new Date()) {
  const rows = await db.cronSchedule.findMany({ where: { tenantId, deletedAt: null }, orderBy: [{ label: "asc" }] });
  // Members by email, agents as they are.
  const actors = await displayActors(
    db,
    rows.map((row) => row.createdBy),
  );
  return {
    schedules: rows.map((row) => ({ ...scheduleView(row), createdBy: actors.get(row.createdBy) ?? row.createdBy })),
    limits: {
      activeSchedules: rows.length,
      maxActiveSchedules: SCHEDULE_LIMITS.maxActiveSchedules,
      runsLast24h: await countRecentRuns(db, tenantId, now),
      maxRunsPerDay: SCHEDULE_LIMITS.maxRunsPerDay,
    },
  };
}

/** Edit an active schedule: a new version; a new cadence counts its next fire from now. */
export async function updateSchedule(
  db: TenantDb,
  tenantId: string,
  actor: TActor,
  input: TUpdateSchedule,
  now = new Date(),
): Promise<TScheduleView> {
  await lockTenantSchedules(db, tenantId);
  const row = await db.cronSchedule.findFirst({ where: { id: input.scheduleId, tenantId, deletedAt: null } });
  if (!row) throw notFound("Schedule");
  const expression = input.expression === undefined ? row.expression : normalizeExpression(input.expression);
  const timezone = input.timezone === undefined ? row.timezone : normalizeTimezone(input.timezone);
  const label = input.label ?? row.label;
  if (label !== row.label) await assertLabelFree(db, tenantId, label, row.id);
  const isCadenceChanged = expression !== row.expression || timezone !== row.timezone;
  const nextRunAt = isCadenceChanged ? firstFire({ expression, timezone }, now, row.id) : row.nextRunAt;
  const content = { label, expression, timezone, message: input.message ?? row.message };
  const item = { id: row.id, title: row.label, version: row.version };
  await cronKind.write(db, tenantId, item, { ...content, isDeleted: false }, actor.label, { now, also: { next_run_at: nextRunAt } });
  const updated = await db.cronSchedule.findUniqueOrThrow({ where: { id: row.id } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "schedule.update",
    targetType: "cron_schedule",
    targetId: row.id,
    data: { label, expression, timezone, version: updated.version, actor: actor.label },
  });
  return scheduleView(updated);
}

/** Soft delete by id or by label; the schedule stays restorable (Trash, version history). */
export async function cancelSchedule(db: TenantDb, tenantId: string, actor: TActor, ref: { id?: string; label?: string }) {
  if (!ref.id && !ref.label) throw new AppError("BAD_REQUEST", "Say which schedule to cancel: its id or its label.");
  if (ref.id && !isUuid(ref.id)) throw notFound("Schedule");
  await lockTenantSchedules(db, tenantId);
  const row = await db.cronSchedule.findFirst({
    where: { tenantId, deletedAt: null, ...(ref.id ? { id: ref.id } : {}), ...(ref.label ? { label: ref.label } : {}) },
  });
  if (!row) throw notFound(ref.label && !ref.id ? `Schedule "${ref.label}"` : "Schedule");
  const { label, expression, timezone, message } = row;
  await cronKind.write(
    db,
    tenantId,
    { id: row.id, title: row.label, version: row.version },
    { label, expression, timezone, message, isDeleted: true },
    actor.label,
  );
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "schedule.cancel",
    targetType: "cron_schedule",
    targetId: row.id,
    data: { label: row.label, actor: actor.label },
  });
  return { id: row.id, label: row.label, cancelled: true, restorable: true };
}

/** The latest fires of schedules and heartbeats, newest first. */
export async function listScheduleRuns(db: TenantDb, tenantId: string, limit = 50) {
  return db.scheduleRun.findMany({ where: { tenantId }, orderBy: [{ startedAt: "desc" }], take: limit });
}
