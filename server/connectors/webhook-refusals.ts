// Refused webhook deliveries are counted, not audited one by one: anyone can POST
// to a tenant's webhook URL, and a row per refusal would let an anonymous caller
// write the tenant's audit log at will. Each refusal is one upsert of a counter
// for (tenant, source, five-minute window); a closed window becomes one audit row
// carrying its count and reasons, written by the next refusal in a later window
// or by the durable sweep (server/jobs), whichever comes first, exactly once.
import { recordAudit } from "@/server/audit/service";
import { withTenant } from "@/server/db";

export const REFUSAL_WINDOW_MS = 5 * 60_000;

export function windowStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS);
}

/** Count one refusal; when it opens a new window, the tenant's closed windows are audited. */
export async function countRefusal(tenantId: string, source: string, reason: string, now = new Date()): Promise<void> {
  const start = windowStart(now);
  const count = await withTenant(tenantId, async (_db, { sql: client }) => {
    const { rows } = await client.query<{ count: number }>(
      `INSERT INTO webhook_refusals (tenant_id, source, window_start, reasons, last_at)
         VALUES ($1, $2, $3, jsonb_build_object($4::text, 1), $5)
       ON CONFLICT (tenant_id, source, window_start) DO UPDATE
         SET count = webhook_refusals.count + 1,
             reasons = jsonb_set(webhook_refusals.reasons, ARRAY[$4::text], to_jsonb(COALESCE((webhook_refusals.reasons ->> $4::text)::int, 0) + 1)),
             last_at = EXCLUDED.last_at
       RETURNING count`,
      [tenantId, source, start, reason, now],
    );
    return rows[0]?.count ?? 0;
  });
  if (count === 1) await auditClosedWindows(tenantId, now);
}

/**
 * One audit row per closed, not yet audited window of the tenant, with its count
 * and reasons. The window rows are claimed (audited_at set) in the same
 * transaction as the audit rows, so two processes never audit a window twice.
 */
export async function auditClosedWindows(tenantId: string, now = new Date()): Promise<number> {
  const open = windowStart(now);
  return withTenant(tenantId, async (db) => {
    const closed = await db.$queryRaw<
      { source: string; window_start: Date; count: number; reasons: Record<string, number>; last_at: Date }[]
    >`
      UPDATE webhook_refusals SET audited_at = ${now}
       WHERE tenant_id = ${tenantId}::uuid AND audited_at IS NULL AND window_start < ${open}
       RETURNING source, window_start, count, reasons, last_at`;
    for (const window of closed) {
      await recordAudit(db, {
        tenantId,
        actorUserId: null,
        action: `${window.source}.webhook_refused`,
        targetType: "webhook",
        targetId: window.source,
        data: {
          count: window.count,
          from: window.window_start.toISOString(),
          to: new Date(window.window_start.getTime() + REFUSAL_WINDOW_MS).toISOString(),
          lastAt: window.last_at.toISOString(),
          reasons: window.reasons,
        },
      });
    }
    return closed.length;
  });
}
