// Per-tenant Ed25519 signing keys (sign checkpoints and exports; the private part
// is sealed with the tenant's data key, server/crypto/tenant-keys.ts). Rotation
// retires the signing key and destroys its private part; the public part stays
// for verification.
import { decryptSecret, encryptSecret, ZSealed } from "@/server/crypto/envelope";
import { generateSigningKey, keyId } from "@/server/crypto/signing";
import { tenantDataKey, tenantDataKeyStatement } from "@/server/crypto/tenant-keys";
import type { SqlClient, TSql } from "@/server/db";
import { lockCheckpoints } from "./checkpoint-lock";

const SIGNING_PURPOSE = "signing-key";

export type TSigningKey = { id: string; publicKey: string; privateKey: Buffer };

async function createSigningKey(client: SqlClient, tenantId: string): Promise<TSigningKey> {
  const generated = generateSigningKey();
  const id = keyId(generated.publicKey);
  const dataKey = await tenantDataKey(client, tenantId);
  const sealed = encryptSecret(dataKey, generated.privateKeyPkcs8, { tenantId, recordId: id, purpose: SIGNING_PURPOSE });
  await client.query("INSERT INTO signing_keys (id, tenant_id, public_key, private_key_sealed, status) VALUES ($1, $2, $3, $4, 'active')", [
    id,
    tenantId,
    generated.publicKey,
    sealed,
  ]);
  return { id, publicKey: generated.publicKey, privateKey: generated.privateKeyPkcs8 };
}

type TKeyRow = { id: string; public_key: string; private_key_sealed: unknown };

const ACTIVE_KEY =
  "SELECT id, public_key, private_key_sealed FROM signing_keys WHERE tenant_id = $1 AND status = 'active' ORDER BY created_at DESC LIMIT 1";

/**
 * The reads of activeSigningKey (the key's row and the tenant's data key), to send in a
 * pipeline with others: hand their results to activeSigningKey, in this order.
 */
export function activeSigningKeyStatements(tenantId: string): TSql[] {
  return [{ name: "fabric_active_signing_key", text: ACTIVE_KEY, values: [tenantId] }, tenantDataKeyStatement(tenantId)];
}

/**
 * The tenant's active signing key, created on first use. Call with the tenant's
 * checkpoints locked (./checkpoint-lock.ts). `read`: the results of
 * activeSigningKeyStatements, sent in this transaction with the lock held.
 */
export async function activeSigningKey(
  client: SqlClient,
  tenantId: string,
  read?: readonly [{ rows: unknown[] }, { rows: { wrapped?: unknown }[] }],
): Promise<TSigningKey> {
  const rows = (read?.[0].rows as TKeyRow[] | undefined) ?? (await client.query<TKeyRow>(ACTIVE_KEY, [tenantId])).rows;
  let row = rows[0];
  if (!row) {
    // First use: serialize key creation per tenant, then look again.
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7244))", [tenantId]);
    row = (await client.query<TKeyRow>(ACTIVE_KEY, [tenantId])).rows[0];
    if (!row) return createSigningKey(client, tenantId);
  }
  const dataKey = await tenantDataKey(client, tenantId, read?.[1]);
  const privateKey = decryptSecret(dataKey, ZSealed.parse(row.private_key_sealed), {
    tenantId,
    recordId: row.id,
    purpose: SIGNING_PURPOSE,
  });
  return { id: row.id, publicKey: row.public_key, privateKey };
}

export async function rotateSigningKey(client: SqlClient, tenantId: string): Promise<{ id: string; publicKey: string }> {
  // No checkpoint is being signed meanwhile (checkpoints.ts): none signs with a key retired under it.
  await lockCheckpoints(client, tenantId);
  await client.query(
    "UPDATE signing_keys SET status = 'retired', retired_at = now(), private_key_sealed = NULL WHERE tenant_id = $1 AND status = 'active'",
    [tenantId],
  );
  const created = await createSigningKey(client, tenantId);
  return { id: created.id, publicKey: created.publicKey };
}

export type TPublicKey = { keyId: string; publicKey: string; status: "active" | "retired"; createdAt: string; retiredAt: string | null };

export async function publicKeys(client: SqlClient, tenantId: string): Promise<TPublicKey[]> {
  const { rows } = await client.query<{
    id: string;
    public_key: string;
    status: "active" | "retired";
    created_at: Date;
    retired_at: Date | null;
  }>("SELECT id, public_key, status, created_at, retired_at FROM signing_keys WHERE tenant_id = $1 ORDER BY created_at", [tenantId]);
  return rows.map((row) => ({
    keyId: row.id,
    publicKey: row.public_key,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    retiredAt: row.retired_at?.toISOString() ?? null,
  }));
}
