// Retention: expired events (per the tenant's days per class) are replaced by
// summaries through prune_expired_events(), the one path that may delete
// events. What was removed is itself recorded as an admin event.
import { withTenant, type SqlClient } from "@/server/db";
import { appendEvents } from "./append";
import { EVENT_CLASSES } from "./hash";

export type TPrunedRange = { firstSeq: string; lastSeq: string; removed: number; lastHash: string };

export const DEFAULT_RETENTION_DAYS: Record<(typeof EVENT_CLASSES)[number], number> = {
  policy_decision: 2557,
  approval: 2557,
  tool_result: 90,
  tool_call: 365,
  message: 365,
  admin: 365,
  run: 365,
};

export async function pruneExpired(client: SqlClient, tenantId: string): Promise<TPrunedRange[]> {
  const { rows } = await client.query<{ first_seq: string; last_seq: string; removed: number; last_hash: string }>(
    "SELECT first_seq::text, last_seq::text, removed, last_hash FROM prune_expired_events($1)",
    [tenantId],
  );
  const ranges = rows.map((row) => ({ firstSeq: row.first_seq, lastSeq: row.last_seq, removed: row.removed, lastHash: row.last_hash }));
  if (ranges.length > 0) {
    await appendEvents(client, tenantId, [{ type: "retention.applied", eventClass: "admin", payload: { ranges } }]);
  }
  return ranges;
}

export async function applyRetention(tenantId: string): Promise<TPrunedRange[]> {
  return withTenant(tenantId, (_db, { sql: client }) => pruneExpired(client, tenantId));
}

export async function retentionPolicies(client: SqlClient, tenantId: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ event_class: string; days: number }>(
    "SELECT event_class, days FROM retention_policies WHERE tenant_id = $1",
    [tenantId],
  );
  return { ...DEFAULT_RETENTION_DAYS, ...Object.fromEntries(rows.map((row) => [row.event_class, row.days])) };
}
