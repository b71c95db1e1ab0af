// Heartbeat tasks: a tenant's periodic agent tasks, set up by its admins ("every
// 30 minutes, check the inbox and summarize"). Stored in the database and fired
// by the worker's minute tick (./tick.ts), like cron schedules. Soft-deleted and
// versioned; every change is audited.
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { versionedKind } from "@/server/recovery/versioned";
import { firstFire, formatInZone, normalizeExpression, normalizeTimezone, type TCadence } from "./cron";
import { SCHEDULE_LIMITS, type TCreateHeartbeat, type TUpdateHeartbeat } from "./schemas";
import { lockTenantSchedules, purgeFireHistory, type TActor } from "./service";

type THeartbeatRow = Awaited<ReturnType<TenantDb["heartbeatTask"]["findFirstOrThrow"]>>;

export type THeartbeatView = {
  id: string;
  label: string;
  message: string;
  intervalMinutes: number | null;
  expression: string | null;
  timezone: string;
  isEnabled: boolean;
  nextRunAt: Date | null;
  nextRunLocal: string | null;
  lastRunAt: Date | null;
  createdBy: string;
  updatedBy: string;
  version: number;
};

export function heartbeatView(row: THeartbeatRow): THeartbeatView {
  const isScheduled = row.isEnabled && row.nextRunAt !== null;
  return {
    id: row.id,
    label: row.label,
    message: row.message,
    intervalMinutes: row.intervalMinutes,
    expression: row.expression,
    timezone: row.timezone,
    isEnabled: row.isEnabled,
    nextRunAt: isScheduled ? row.nextRunAt : null,
    nextRunLocal: isScheduled && row.nextRunAt ? formatInZone(row.nextRunAt, row.timezone) : null,
    lastRunAt: row.lastRunAt,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    version: row.version,
  };
}

/** A heartbeat's cadence, checked: an interval, or an expression in a time zone. */
export function heartbeatCadence(fields: { intervalMinutes: number | null; expression: string | null; timezone: string }): {
  cadence: TCadence;
  intervalMinutes: number | null;
  expression: string | null;
  timezone: string;
} {
  const timezone = normalizeTimezone(fields.timezone);
  if (fields.intervalMinutes !== null) {
    return { cadence: { intervalMinutes: fields.intervalMinutes }, intervalMinutes: fields.intervalMinutes, expression: null, timezone };
  }
  if (fields.expression === null) throw new AppError("BAD_REQUEST", "Give an interval in minutes or a cron expression.");
  const expression = normalizeExpression(fields.expression);
  return { cadence: { expression, timezone }, intervalMinutes: null, expression, timezone };
}

export type THeartbeatContent = {
  label: string;
  intervalMinutes: number | null;
  expression: string | null;
  timezone: string;
  message: string;
  isEnabled: boolean;
};

/**
 * Heartbeat tasks as a versioned, recoverable kind (server/recovery/versioned.ts). A
 * restore is a new version: the task comes back with its next fire counted from now,
 * within the tenant's cap and under a label no active task uses. Heartbeat tasks are an
 * admin's to set up; bringing one back is too.
 */
export const heartbeatKind = versionedKind<THeartbeatContent>({
  kind: "heartbeat",
  label: "Heartbeat task",
  restoreRole: "admin",
  tables: {
    entity: "heartbeat_tasks",
    versions: "heartbeat_task_versions",
    parent: "task_id",
    content: {
      label: { column: "label" },
      intervalMinutes: { column: "interval_minutes", type: "int" },
      expression: { column: "expression" },
      timezone: { column: "timezone" },
      message: { column: "message" },
      isEnabled: { column: "is_enabled", type: "bool" },
    },
    title: "label",
    hasDeletedBy: false,
  },
  check: async (db, tenantId, row, content) => {
    await lockTenantSchedules(db, tenantId);
    if (row.deletedAt) await assertHeartbeatRoom(db, tenantId);
    await assertHeartbeatLabelFree(db, tenantId, content.label, row.id);
    const { intervalMinutes, expression, timezone } = heartbeatCadence(content);
    return { ...content, intervalMinutes, expression, timezone };
  },
  also: (row, content, now) => ({ next_run_at: firstFire(heartbeatCadence(content).cadence, now, row.id) }),
  afterPurge: (db, tenantId, ids) => purgeFireHistory(db, tenantId, ids),
});

export async function assertHeartbeatRoom(db: TenantDb, tenantId: string): Promise<void> {
  const count = await db.heartbeatTask.count({ where: { tenantId, deletedAt: null } });
  if (count >= SCHEDULE_LIMITS.maxHeartbeatTasks) {
    throw new AppError(
      "CONFLICT",
      `This tenant already has ${count} heartbeat tasks, the most it may have (${SCHEDULE_LIMITS.maxHeartbeatTasks}). Delete one before adding another.`,
    );
  }
}

export async function assertHeartbeatLabelFree(db: TenantDb, tenantId: string, label: string, exceptId?: string): Promise<void> {
  const clash = await db.heartbeatTask.findFirst({
    where: { tenantId, label, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (clash) throw new AppError("CONFLICT", `A heartbeat task named "${label}" already exists. Choose another label.`);
}

export async function listHeartbeats(db: TenantDb, tenantId: string): Promise<THeartbeatView[]> {
  const rows = await db.heartbeatTask.findMany({ where: { tenantId, deletedAt: null }, orderBy: [{ label: "asc" }] });
  return rows.map(heartbeatView);
}

export async function createHeartbeat(
  db: TenantDb,
  tenantId: string,
  actor: TActor,
  input: TCreateHeartbeat,
  now = new Date(),
): Promise<THeartbeatView> {
  const checked = heartbeatCadence({
    intervalMinutes: input.intervalMinutes ?? null,
    expression: input.expression ?? null,
    timezone: input.timezone,
  });
  const id = randomUUID();
  const nextRunAt = firstFire(checked.cadence, now, id);
  await lockTenantSchedules(db, tenantId);
  await assertHeartbeatRoom(db, tenantId);
  await assertHeartbeatLabelFree(db, tenantId, input.label);
  const content = {
    label: input.label,
    intervalMinutes: checked.intervalMinutes,
    expression: checked.expression,
    timezone: checked.timezone,
    message: input.message,
    isEnabled: input.isEnabled,
  };
  await heartbeatKind.create(db, tenantId, content, actor.label, { id, now, also: { created_by: actor.label, next_run_at: nextRunAt } });
  const row = await db.heartbeatTask.findFirstOrThrow({ where: { id, tenantId } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "heartbeat.create",
    targetType: "heartbeat_task",
    targetId: row.id,
    data: { label: row.label, intervalMinutes: row.intervalMinutes, expression: row.expression, timezone: row.timezone },
  });
  return heartbeatView(row);
}

async function activeHeartbeat(db: TenantDb, tenantId: string, id: string): Promise<THeartbeatRow> {
  const row = await db.heartbeatTask.findFirst({ where: { id, tenantId, deletedAt: null } });
  if (!row) throw notFound("Heartbeat task");
  return row;
}

export async function updateHeartbeat(
  db: TenantDb,
  tenantId: string,
  actor: TActor,
  input: TUpdateHeartbeat,
  now = new Date(),
): Promise<THeartbeatView> {
  await lockTenantSchedules(db, tenantId);
  const row = await activeHeartbeat(db, tenantId, input.heartbeatId);
  const label = input.label ?? row.label;
  if (label !== row.label) await assertHeartbeatLabelFree(db, tenantId, label, row.id);
  // A new interval replaces an expression and the other way round.
  const checked = heartbeatCadence({
    intervalMinutes: input.expression !== undefined ? null : (input.intervalMinutes ?? row.intervalMinutes),
    expression: input.intervalMinutes !== undefined ? null : (input.expression ?? row.expression),
    timezone: input.timezone ?? row.timezone,
  });
  const isEnabled = input.isEnabled ?? row.isEnabled;
  const isCadenceChanged =
    checked.intervalMinutes !== row.intervalMinutes || checked.expression !== row.expression || checked.timezone !== row.timezone;
  // Re-enabling or a new cadence counts from now: no burst for the time it was off.
  const nextRunAt = isCadenceChanged || (isEnabled && !row.isEnabled) ? firstFire(checked.cadence, now, row.id) : row.nextRunAt;
  const content = {
    label,
    message: input.message ?? row.message,
    intervalMinutes: checked.intervalMinutes,
    expression: checked.expression,
    timezone: checked.timezone,
    isEnabled,
  };
  const item = { id: row.id, title: row.label, version: row.version };
  await heartbeatKind.write(db, tenantId, item, { ...content, isDeleted: false }, actor.label, { now, also: { next_run_at: nextRunAt } });
  const updated = await db.heartbeatTask.findUniqueOrThrow({ where: { id: row.id } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "heartbeat.update",
    targetType: "heartbeat_task",
    targetId: row.id,
    data: { label, version: updated.version, isEnabled },
  });
  return heartbeatView(updated);
}

/** Soft delete: restorable from the Trash with its version history. */
export async function archiveHeartbeat(db: TenantDb, tenantId: string, actor: TActor, heartbeatId: string) {
  await lockTenantSchedules(db, tenantId);
  const row = await activeHeartbeat(db, tenantId, heartbeatId);
  const { label, intervalMinutes, expression, timezone, message, isEnabled } = row;
  await heartbeatKind.write(
    db,
    tenantId,
    { id: row.id, title: row.label, version: row.version },
    { label, intervalMinutes, expression, timezone, message, isEnabled, isDeleted: true },
    actor.label,
  );
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "heartbeat.archive",
    targetType: "heartbeat_task",
    targetId: row.id,
    data: { label: row.label },
  });
  return { id: row.id, label: row.label, archived: true, restorable: true };
}
