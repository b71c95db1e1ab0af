// Seal and open a tenant's secrets (model API keys, connector credentials) with the
// tenant's data key. The AAD binds each ciphertext to its tenant, record and
// purpose: copied to another row or tenant, it does not open.
import { decryptSecret, encryptSecret, ZSealed, type TSealed } from "@/server/crypto/envelope";
import { withTenant } from "@/server/db";
import { tenantDataKey } from "@/server/crypto/tenant-keys";

export type TSealContext = { recordId: string; purpose: string };

export async function sealTenantSecret(tenantId: string, plaintext: string, context: TSealContext): Promise<TSealed> {
  const dataKey = await withTenant(tenantId, (_db, { sql: client }) => tenantDataKey(client, tenantId));
  return encryptSecret(dataKey, plaintext, { tenantId, ...context });
}

export async function openTenantSecret(tenantId: string, sealed: unknown, context: TSealContext): Promise<string> {
  const dataKey = await withTenant(tenantId, (_db, { sql: client }) => tenantDataKey(client, tenantId));
  return decryptSecret(dataKey, ZSealed.parse(sealed), { tenantId, ...context }).toString("utf8");
}
