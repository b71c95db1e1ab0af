// Checkpoints: a signed statement "tenant T's chain had hash H at sequence S",
// made every N events (and every T minutes by the worker), optionally anchored
// in the built-in transparency log so that even the whole database cannot
// rewrite history without the log disagreeing.
import { sign, verify } from "@/server/crypto/signing";
import type { SqlClient } from "@/server/db";
import { canonicalJson } from "./hash";
import { activeSigningKey } from "./keys";
import { leafHash } from "./merkle";

export type TCheckpoint = {
  tenantId: string;
  seq: string;
  hash: string;
  keyId: string;
  signature: string;
  logIndex: string | null;
  createdAt: string;
};

export function checkpointMessage(checkpoint: { tenantId: string; seq: string; hash: string }): string {
  return `agent-fabric/checkpoint/v1\n${canonicalJson({ tenantId: checkpoint.tenantId, seq: checkpoint.seq, hash: checkpoint.hash })}`;
}

/** The transparency log's leaf for a checkpoint: its signed statement and signature. */
export function checkpointLeaf(checkpoint: { tenantId: string; seq: string; hash: string; keyId: string; signature: string }): Buffer {
  return Buffer.from(
    canonicalJson({
      tenantId: checkpoint.tenantId,
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      keyId: checkpoint.keyId,
      signature: checkpoint.signature,
    }),
  );
}

export function verifyCheckpointSignature(
  checkpoint: { tenantId: string; seq: string; hash: string; signature: string },
  publicKey: string,
): boolean {
  return verify(publicKey, checkpointMessage(checkpoint), checkpoint.signature);
}

/** Where checkpoints are anchored. The built-in log is one; an external log implements the same. */
export interface AnchorSink {
  readonly name: string;
  anchor(client: SqlClient, leaf: Buffer): Promise<{ logIndex: string | null }>;
}

// One global lock for the built-in log: its indexes must be gap-free and in commit order.
const LOG_LOCK = 7_244_001;

export const builtinLog: AnchorSink = {
  name: "builtin",
  async anchor(client, leaf) {
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOG_LOCK]);
    const { rows } = await client.query<{ next: string }>("SELECT COALESCE(MAX(index) + 1, 0)::text AS next FROM transparency_log_entries");
    const index = rows[0]?.next ?? "0";
    await client.query("INSERT INTO transparency_log_entries (index, leaf_hash) VALUES ($1, $2)", [index, leafHash(leaf).toString("hex")]);
    return { logIndex: index };
  },
};

type TSettings = { checkpointEvery: number; checkpointMinutes: number; anchoring: "off" | "builtin" };
export const DEFAULT_SETTINGS: TSettings = { checkpointEvery: 100, checkpointMinutes: 10, anchoring: "builtin" };

export async function loadSettings(client: SqlClient, tenantId: string): Promise<TSettings> {
  const { rows } = await client.query<{ checkpoint_every: number; checkpoint_minutes: number; anchoring: "off" | "builtin" }>(
    "SELECT checkpoint_every, checkpoint_minutes, anchoring FROM event_log_settings WHERE tenant_id = $1",
    [tenantId],
  );
  const row = rows[0];
  return row
    ? { checkpointEvery: row.checkpoint_every, checkpointMinutes: row.checkpoint_minutes, anchoring: row.anchoring }
    : DEFAULT_SETTINGS;
}

/** Sign the given head and anchor it. Call with the chain head row locked. Idempotent per (tenant, seq). */
export async function createCheckpoint(
  client: SqlClient,
  tenantId: string,
  head: { seq: string; hash: string },
  settings?: TSettings,
): Promise<TCheckpoint> {
  const existing = await client.query<{ key_id: string; signature: string; log_index: string | null; created_at: Date }>(
    "SELECT key_id, signature, log_index::text, created_at FROM checkpoints WHERE tenant_id = $1 AND seq = $2",
    [tenantId, head.seq],
  );
  const found = existing.rows[0];
  if (found) {
    return {
      tenantId,
      ...head,
      keyId: found.key_id,
      signature: found.signature,
      logIndex: found.log_index,
      createdAt: found.created_at.toISOString(),
    };
  }
  const { anchoring } = settings ?? (await loadSettings(client, tenantId));
  const key = await activeSigningKey(client, tenantId);
  const signature = sign(key.privateKey, checkpointMessage({ tenantId, ...head }));
  const anchored =
    anchoring === "builtin"
      ? await builtinLog.anchor(client, checkpointLeaf({ tenantId, ...head, keyId: key.id, signature }))
      : { logIndex: null };
  const { rows } = await client.query<{ created_at: Date }>(
    "INSERT INTO checkpoints (tenant_id, seq, hash, key_id, signature, log_index) VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at",
    [tenantId, head.seq, head.hash, key.id, signature, anchored.logIndex],
  );
  return {
    tenantId,
    ...head,
    keyId: key.id,
    signature,
    logIndex: anchored.logIndex,
    createdAt: (rows[0]?.created_at ?? new Date()).toISOString(),
  };
}

export async function listCheckpoints(client: SqlClient, tenantId: string, options: { limit?: number } = {}): Promise<TCheckpoint[]> {
  const { rows } = await client.query<{
    seq: string;
    hash: string;
    key_id: string;
    signature: string;
    log_index: string | null;
    created_at: Date;
  }>(
    `SELECT c.seq::text, c.hash, c.key_id, c.signature, c.log_index::text, c.created_at FROM checkpoints c WHERE c.tenant_id = $1 ORDER BY c.seq DESC ${options.limit ? "LIMIT " + Math.floor(options.limit) : ""}`,
    [tenantId],
  );
  return rows.map((row) => ({
    tenantId,
    seq: row.seq,
    hash: row.hash,
    keyId: row.key_id,
    signature: row.signature,
    logIndex: row.log_index,
    createdAt: row.created_at.toISOString(),
  }));
}

/**
 * The time-based checkpoint: if the chain has grown since the last checkpoint
 * and that one is older than the tenant's interval, checkpoint the head now.
 */
export async function checkpointIfDue(client: SqlClient, tenantId: string, now = new Date()): Promise<TCheckpoint | null> {
  const head = (
    await client.query<{ last_seq: string; last_hash: string }>(
      "SELECT last_seq::text, last_hash FROM event_chains WHERE tenant_id = $1 FOR UPDATE",
      [tenantId],
    )
  ).rows[0];
  if (!head || head.last_seq === "0") return null;
  const last = (
    await client.query<{ seq: string; created_at: Date }>(
      "SELECT c.seq::text, c.created_at FROM checkpoints c WHERE c.tenant_id = $1 ORDER BY c.seq DESC LIMIT 1",
      [tenantId],
    )
  ).rows[0];
  if (last && last.seq === head.last_seq) return null;
  const settings = await loadSettings(client, tenantId);
  if (last && now.getTime() - last.created_at.getTime() < settings.checkpointMinutes * 60_000) return null;
  return createCheckpoint(client, tenantId, { seq: head.last_seq, hash: head.last_hash }, settings);
}
