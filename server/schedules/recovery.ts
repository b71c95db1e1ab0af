// Cron schedules and heartbeat tasks as recoverable kinds (server/recovery/types.ts).
// A restore is a new version: the item comes back active, its next fire counted
// from now (no burst for the time it was in the Trash), within the tenant's caps
// and with a label no active item uses.
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { isUuid } from "@/server/validation";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "@/server/recovery/types";
import { firstFire, normalizeExpression, normalizeTimezone } from "./cron";
import { assertHeartbeatLabelFree, assertHeartbeatRoom, heartbeatCadence, writeHeartbeatVersion } from "./heartbeat";
import { assertLabelFree, assertScheduleRoom, lockTenantSchedules, writeScheduleVersion } from "./service";

/** The Trash shows the most recent deletions; older ones are still purged and restorable by id. */
const LIST_LIMIT = 1000;

type TScheduleContent = { label: string; expression: string; timezone: string; message: string };
type THeartbeatContent = {
  label: string;
  intervalMinutes: number | null;
  expression: string | null;
  timezone: string;
  message: string;
  isEnabled: boolean;
};

async function scheduleOf(db: TenantDb, tenantId: string, id: string) {
  const row = isUuid(id) ? await db.cronSchedule.findFirst({ where: { id, tenantId } }) : null;
  if (!row) throw notFound("Schedule");
  return row;
}

async function heartbeatOf(db: TenantDb, tenantId: string, id: string) {
  const row = isUuid(id) ? await db.heartbeatTask.findFirst({ where: { id, tenantId } }) : null;
  if (!row) throw notFound("Heartbeat task");
  return row;
}

async function bringBackSchedule(db: TenantDb, tenantId: string, id: string, content: TScheduleContent, actor: string): Promise<void> {
  await lockTenantSchedules(db, tenantId);
  const row = await scheduleOf(db, tenantId, id);
  if (row.deletedAt) await assertScheduleRoom(db, tenantId);
  await assertLabelFree(db, tenantId, content.label, row.id);
  const expression = normalizeExpression(content.expression);
  const timezone = normalizeTimezone(content.timezone);
  const now = new Date();
  const updated = await db.cronSchedule.update({
    where: { id: row.id },
    data: {
      label: content.label,
      message: content.message,
      expression,
      timezone,
      deletedAt: null,
      nextRunAt: firstFire({ expression, timezone }, now, row.id),
      version: row.version + 1,
      updatedBy: actor,
      updatedAt: now,
    },
  });
  await writeScheduleVersion(db, updated, actor);
}

async function bringBackHeartbeat(db: TenantDb, tenantId: string, id: string, content: THeartbeatContent, actor: string): Promise<void> {
  await lockTenantSchedules(db, tenantId);
  const row = await heartbeatOf(db, tenantId, id);
  if (row.deletedAt) await assertHeartbeatRoom(db, tenantId);
  await assertHeartbeatLabelFree(db, tenantId, content.label, row.id);
  const checked = heartbeatCadence(content);
  const now = new Date();
  const updated = await db.heartbeatTask.update({
    where: { id: row.id },
    data: {
      label: content.label,
      message: content.message,
      isEnabled: content.isEnabled,
      intervalMinutes: checked.intervalMinutes,
      expression: checked.expression,
      timezone: checked.timezone,
      deletedAt: null,
      nextRunAt: firstFire(checked.cadence, now, row.id),
      version: row.version + 1,
      updatedBy: actor,
      updatedAt: now,
    },
  });
  await writeHeartbeatVersion(db, updated, actor);
}

/** Remove for good, then the fire history of what was removed (the database allows only that). */
async function purgeHistory(db: TenantDb, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.scheduleRun.deleteMany({ where: { tenantId, scheduleId: { in: ids } } });
}

export const cronKind: TRecoverableKind = {
  kind: "cron",
  label: "Schedule",

  async listDeleted(db, tenantId): Promise<TTrashItem[]> {
    const rows = await db.cronSchedule.findMany({
      where: { tenantId, deletedAt: { not: null } },
      orderBy: [{ deletedAt: "desc" }, { label: "asc" }],
      take: LIST_LIMIT,
    });
    return rows.map((row) => ({
      kind: "cron",
      id: row.id,
      title: row.label,
      deletedAt: row.deletedAt ?? row.updatedAt,
      // The cancel is the schedule's last change, so its last actor cancelled it.
      deletedBy: row.updatedBy,
      version: row.version,
    }));
  },

  async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
    const row = await scheduleOf(db, tenantId, id);
    const versions = await db.cronScheduleVersion.findMany({ where: { tenantId, scheduleId: row.id }, orderBy: { version: "desc" } });
    return versions.map((version) => ({
      version: version.version,
      createdAt: version.createdAt,
      actor: version.actor,
      isDeleted: version.isDeleted,
      content: { label: version.label, expression: version.expression, timezone: version.timezone, message: version.message },
    }));
  },

  async restore(db, tenantId, id, actor) {
    const row = await scheduleOf(db, tenantId, id);
    if (!row.deletedAt) throw new AppError("CONFLICT", `Schedule "${row.label}" is not in the Trash; it was restored meanwhile.`);
    await bringBackSchedule(db, tenantId, row.id, row, actor);
  },

  async restoreVersion(db, tenantId, id, version, actor) {
    const row = await scheduleOf(db, tenantId, id);
    const old = await db.cronScheduleVersion.findFirst({ where: { tenantId, scheduleId: row.id, version } });
    if (!old) throw notFound(`Version ${version} of schedule "${row.label}"`);
    await bringBackSchedule(db, tenantId, row.id, old, actor);
  },

  async purge(db, tenantId, deletedBefore) {
    const rows = await db.cronSchedule.findMany({ where: { tenantId, deletedAt: { not: null, lt: deletedBefore } }, select: { id: true } });
    const ids = rows.map((row) => row.id);
    if (ids.length === 0) return 0;
    const { count } = await db.cronSchedule.deleteMany({ where: { tenantId, id: { in: ids }, deletedAt: { not: null } } });
    await purgeHistory(db, tenantId, ids);
    return count;
  },
};

export const heartbeatKind: TRecoverableKind = {
  kind: "heartbeat",
  label: "Heartbeat task",
  // Heartbeat tasks are an admin's to set up; bringing one back is too.
  restoreRole: "admin",

  async listDeleted(db, tenantId): Promise<TTrashItem[]> {
    const rows = await db.heartbeatTask.findMany({
      where: { tenantId, deletedAt: { not: null } },
      orderBy: [{ deletedAt: "desc" }, { label: "asc" }],
      take: LIST_LIMIT,
    });
    return rows.map((row) => ({
      kind: "heartbeat",
      id: row.id,
      title: row.label,
      deletedAt: row.deletedAt ?? row.updatedAt,
      deletedBy: row.updatedBy,
      version: row.version,
    }));
  },

  async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
    const row = await heartbeatOf(db, tenantId, id);
    const versions = await db.heartbeatTaskVersion.findMany({ where: { tenantId, taskId: row.id }, orderBy: { version: "desc" } });
    return versions.map((version) => ({
      version: version.version,
      createdAt: version.createdAt,
      actor: version.actor,
      isDeleted: version.isDeleted,
      content: {
        label: version.label,
        intervalMinutes: version.intervalMinutes,
        expression: version.expression,
        timezone: version.timezone,
        message: version.message,
        isEnabled: version.isEnabled,
      },
    }));
  },

  async restore(db, tenantId, id, actor) {
    const row = await heartbeatOf(db, tenantId, id);
    if (!row.deletedAt) throw new AppError("CONFLICT", `Heartbeat task "${row.label}" is not in the Trash; it was restored meanwhile.`);
    await bringBackHeartbeat(db, tenantId, row.id, row, actor);
  },

  async restoreVersion(db, tenantId, id, version, actor) {
    const row = await heartbeatOf(db, tenantId, id);
    const old = await db.heartbeatTaskVersion.findFirst({ where: { tenantId, taskId: row.id, version } });
    if (!old) throw notFound(`Version ${version} of heartbeat task "${row.label}"`);
    await bringBackHeartbeat(db, tenantId, row.id, old, actor);
  },

  async purge(db, tenantId, deletedBefore) {
    const rows = await db.heartbeatTask.findMany({
      where: { tenantId, deletedAt: { not: null, lt: deletedBefore } },
      select: { id: true },
    });
    const ids = rows.map((row) => row.id);
    if (ids.length === 0) return 0;
    const { count } = await db.heartbeatTask.deleteMany({ where: { tenantId, id: { in: ids }, deletedAt: { not: null } } });
    await purgeHistory(db, tenantId, ids);
    return count;
  },
};
