// The tenant's data key: wraps the tenant's secrets (credentials, the private part
// of its signing keys), itself wrapped by the master key. Created on first use.
import type { SqlClient, TSql } from "@/server/db";
import { createDataKey, masterKeys, unwrapDataKey, ZWrappedKey } from "./envelope";

/** The read of tenantDataKey, to send in a pipeline with others; hand its rows to tenantDataKey. */
export function tenantDataKeyStatement(tenantId: string): TSql {
  return { name: "fabric_tenant_data_key", text: "SELECT wrapped FROM tenant_keys WHERE tenant_id = $1", values: [tenantId] };
}

export async function tenantDataKey(client: SqlClient, tenantId: string, read?: { rows: { wrapped?: unknown }[] }): Promise<Buffer> {
  const found = read ?? (await client.query<{ wrapped: unknown }>("SELECT wrapped FROM tenant_keys WHERE tenant_id = $1", [tenantId]));
  let wrapped = found.rows[0]?.wrapped;
  if (!wrapped) {
    const created = createDataKey(masterKeys(), tenantId);
    // Two first uses at once: the first insert wins, both read it back.
    await client.query("INSERT INTO tenant_keys (tenant_id, wrapped) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING", [
      tenantId,
      created.wrapped,
    ]);
    wrapped = (await client.query<{ wrapped: unknown }>("SELECT wrapped FROM tenant_keys WHERE tenant_id = $1", [tenantId])).rows[0]
      ?.wrapped;
  }
  return unwrapDataKey(masterKeys(), tenantId, ZWrappedKey.parse(wrapped));
}
