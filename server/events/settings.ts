// Event-log settings per tenant: checkpoint interval, anchoring, retention.
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { DEFAULT_SETTINGS } from "./checkpoints";
import { DEFAULT_RETENTION_DAYS } from "./retention";
import type { TEventLogSettings } from "./schemas";

export async function getEventLogSettings(db: TenantDb, tenantId: string): Promise<TEventLogSettings> {
  const [settings, policies] = await Promise.all([
    db.eventLogSettings.findUnique({ where: { tenantId } }),
    db.retentionPolicy.findMany({ where: { tenantId } }),
  ]);
  return {
    checkpointEvery: settings?.checkpointEvery ?? DEFAULT_SETTINGS.checkpointEvery,
    checkpointMinutes: settings?.checkpointMinutes ?? DEFAULT_SETTINGS.checkpointMinutes,
    anchoring: settings?.anchoring ?? DEFAULT_SETTINGS.anchoring,
    retention: { ...DEFAULT_RETENTION_DAYS, ...Object.fromEntries(policies.map((policy) => [policy.eventClass, policy.days])) },
  };
}

export async function updateEventLogSettings(db: TenantDb, tenantId: string, actorUserId: string, input: TEventLogSettings) {
  const before = await getEventLogSettings(db, tenantId);
  const values = {
    checkpointEvery: input.checkpointEvery,
    checkpointMinutes: input.checkpointMinutes,
    anchoring: input.anchoring,
    updatedAt: new Date(),
  };
  await db.eventLogSettings.upsert({ where: { tenantId }, create: { tenantId, ...values }, update: values });
  for (const [eventClass, days] of Object.entries(input.retention)) {
    await db.retentionPolicy.upsert({
      where: { tenantId_eventClass: { tenantId, eventClass } },
      create: { tenantId, eventClass, days },
      update: { days },
    });
  }
  const after = await getEventLogSettings(db, tenantId);
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "event_log.settings_changed",
    targetType: "tenant",
    targetId: tenantId,
    data: { before, after },
  });
  return after;
}
