import type { SqlClient, TSql } from "@/server/db";

/**
 * A tenant's checkpoints are made one at a time, each linked to the one before: this
 * transaction-scoped lock serializes them (and key rotation with them) without holding
 * the chain head, so the tenant's appends go on while a checkpoint waits for the
 * transparency log. Lock order, everywhere: chain head, then this, then the log.
 */
export async function lockCheckpoints(client: SqlClient, tenantId: string): Promise<void> {
  const { text, values } = lockCheckpointsStatement(tenantId);
  await client.query(text, [...(values ?? [])]);
}

/** lockCheckpoints as a statement, to send first in a pipeline of reads made under the lock. */
export function lockCheckpointsStatement(tenantId: string): TSql {
  return {
    name: "fabric_lock_checkpoints",
    text: "SELECT pg_advisory_xact_lock(hashtextextended('agent-fabric/checkpoints/' || $1::text, 0))",
    values: [tenantId],
  };
}
