import type { SqlClient } from "@/server/db";

/**
 * A tenant's checkpoints are made one at a time, each linked to the one before: this
 * transaction-scoped lock serializes them (and key rotation with them) without holding
 * the chain head, so the tenant's appends go on while a checkpoint waits for the
 * transparency log. Lock order, everywhere: chain head, then this, then the log.
 */
export async function lockCheckpoints(client: SqlClient, tenantId: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended('agent-fabric/checkpoints/' || $1::text, 0))", [tenantId]);
}
