// What the durable jobs do. Each job walks the active tenants (platform work,
// hence the platform client) and does each tenant's part in that tenant's own
// scoped transaction; one tenant's failure does not stop the others.
import { expireOverdue, finishDecided } from "@/server/approvals/sweep";
import { deliverDueNotifications, enqueueSlaWarnings } from "@/server/approvals/notify";
import { auditClosedWindows } from "@/server/connectors/webhook-refusals";
import { withTenant } from "@/server/db";
import { platform } from "@/server/db/platform";
import { checkpointIfDue } from "@/server/events/checkpoints";
import { applyRetention } from "@/server/events/retention";
import { logger } from "@/server/logger";
import { claimDueFires, runFires, type TFire } from "@/server/schedules/tick";
import { purgeTenant } from "@/server/recovery/service";

async function activeTenantIds(): Promise<string[]> {
  const tenants = await platform.run((db) => db.tenant.findMany({ where: { status: "active" }, select: { id: true } }));
  return tenants.map((tenant) => tenant.id);
}

async function forEachTenant(
  job: string,
  work: (tenantId: string) => Promise<number>,
): Promise<{ tenants: number; affected: number; failed: number }> {
  let affected = 0;
  let failed = 0;
  const ids = await activeTenantIds();
  for (const tenantId of ids) {
    try {
      affected += await work(tenantId);
    } catch (error) {
      failed += 1;
      logger.error({ err: error, tenantId, job }, "job failed for a tenant");
    }
  }
  return { tenants: ids.length, affected, failed };
}

export async function runRetention(): Promise<{ tenants: number; affected: number; failed: number }> {
  return forEachTenant("retention", async (tenantId) => (await applyRetention(tenantId)).reduce((sum, range) => sum + range.removed, 0));
}

export async function runCheckpointSweep(now = new Date()): Promise<{ tenants: number; affected: number; failed: number }> {
  return forEachTenant("checkpoint-sweep", async (tenantId) =>
    (await withTenant(tenantId, (_db, { sql: client }) => checkpointIfDue(client, tenantId, now))) ? 1 : 0,
  );
}

/** Each tenant's Trash, purged of what is older than its retention setting (audited per tenant). */
export async function runRecoveryPurge(now = new Date()): Promise<{ tenants: number; affected: number; failed: number }> {
  return forEachTenant("recovery-purge", async (tenantId) => (await purgeTenant(tenantId, now)).total);
}

/**
 * The schedule tick: claim every tenant's due fires first (short transactions, each
 * fire once), then run their agent turns a few at a time, outside any transaction.
 */
export async function runScheduleTick(now = new Date()): Promise<{ tenants: number; affected: number; failed: number }> {
  const fires: TFire[] = [];
  const result = await forEachTenant("schedule-tick", async (tenantId) => {
    const claimed = await claimDueFires(tenantId, now);
    fires.push(...claimed.fires);
    return claimed.fires.length + claimed.refusals.length;
  });
  await runFires(fires);
  return result;
}

/** Approval requests past their deadline (each tier's timeout action, once) and decisions a crash left unfinished. */
export async function runApprovalSweep(now = new Date()): Promise<{ tenants: number; affected: number; failed: number }> {
  return forEachTenant("approval-sweep", async (tenantId) => (await expireOverdue(tenantId, now)) + (await finishDecided(tenantId, now)));
}

/** Each tenant's closed windows of refused webhook deliveries, one audit row per window with its count. */
export async function runWebhookRefusalAudit(now = new Date()): Promise<{ tenants: number; affected: number; failed: number }> {
  return forEachTenant("webhook-refusals", (tenantId) => auditClosedWindows(tenantId, now));
}

/** SLA warnings that are due, then each tenant's due approval notifications (sent outside transactions, retried with backoff). */
export async function runApprovalNotifications(now = new Date()): Promise<{ tenants: number; affected: number; failed: number }> {
  return forEachTenant("approval-notify", async (tenantId) => {
    const warned = await enqueueSlaWarnings(tenantId, now);
    const delivered = await deliverDueNotifications(tenantId, now);
    return warned + delivered.sent + delivered.retrying + delivered.failed;
  });
}
