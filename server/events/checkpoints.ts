// Checkpoints: a signed statement "tenant T's chain had hash H at sequence S",
// made every N events (and every T minutes by the worker), optionally anchored
// in the built-in transparency log so that even the whole database cannot
// rewrite history without the log disagreeing.
import { createHash } from "node:crypto";
import { sign, verify } from "@/server/crypto/signing";
import { runPipeline, type SqlClient, type TSql } from "@/server/db";
import { canonicalJson } from "./hash";
import { lockCheckpointsStatement } from "./checkpoint-lock";
import { activeSigningKey, activeSigningKeyStatements } from "./keys";
import { appendToLog } from "./tree-heads";

/**
 * What a checkpoint signs. Version 2 also signs the previous checkpoint's seq and
 * digest, chaining checkpoints so that a removed one is detectable; version 1 rows
 * (written before chaining) keep the message they were signed with.
 */
export type TCheckpointStatement = {
  tenantId: string;
  seq: string;
  hash: string;
  version: 1 | 2;
  prevSeq: string | null;
  prevDigest: string | null;
};

export type TCheckpoint = TCheckpointStatement & {
  keyId: string;
  signature: string;
  logIndex: string | null;
  createdAt: string;
};

export const CHECKPOINT_VERSION = 2;

export function checkpointMessage(checkpoint: TCheckpointStatement): string {
  const { tenantId, seq, hash } = checkpoint;
  if (checkpoint.version === 1) return `agent-fabric/checkpoint/v1\n${canonicalJson({ tenantId, seq, hash })}`;
  return `agent-fabric/checkpoint/v2\n${canonicalJson({ tenantId, seq, hash, prevSeq: checkpoint.prevSeq, prevDigest: checkpoint.prevDigest })}`;
}

/** What the next checkpoint chains to: SHA-256 of this one's signed message (which, in v2, holds its own predecessor's). */
export function checkpointDigest(checkpoint: TCheckpointStatement): string {
  return createHash("sha256").update(checkpointMessage(checkpoint)).digest("hex");
}

/** The transparency log's leaf for a checkpoint: its signed statement and signature. */
export function checkpointLeaf(checkpoint: { tenantId: string; seq: string; hash: string; keyId: string; signature: string }): Buffer {
  // The signature commits to the v2 fields, so the leaf keeps its v1 shape and old leaves still match.
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

export function verifyCheckpointSignature(checkpoint: TCheckpointStatement & { signature: string }, publicKey: string): boolean {
  return verify(publicKey, checkpointMessage(checkpoint), checkpoint.signature);
}

/** Where checkpoints are anchored. The built-in log is one; an external log implements the same. */
export interface AnchorSink {
  readonly name: string;
  anchor(client: SqlClient, leaf: Buffer): Promise<{ logIndex: string | null }>;
}

export const builtinLog: AnchorSink = {
  name: "builtin",
  async anchor(client, leaf) {
    // The entry and the head just after it: the anchoring head an export proves consistency from.
    const { index } = await appendToLog(client, leaf);
    return { logIndex: String(index) };
  },
};

type TSettings = { checkpointEvery: number; checkpointMinutes: number; anchoring: "off" | "builtin" };
export const DEFAULT_SETTINGS: TSettings = { checkpointEvery: 100, checkpointMinutes: 10, anchoring: "builtin" };

type TSettingsRow = { checkpoint_every: number; checkpoint_minutes: number; anchoring: "off" | "builtin" };

function settingsStatement(tenantId: string): TSql {
  return {
    name: "fabric_event_log_settings",
    text: "SELECT checkpoint_every, checkpoint_minutes, anchoring FROM event_log_settings WHERE tenant_id = $1",
    values: [tenantId],
  };
}

function settingsFrom(rows: unknown[]): TSettings {
  const row = rows[0] as TSettingsRow | undefined;
  return row
    ? { checkpointEvery: row.checkpoint_every, checkpointMinutes: row.checkpoint_minutes, anchoring: row.anchoring }
    : DEFAULT_SETTINGS;
}

export async function loadSettings(client: SqlClient, tenantId: string): Promise<TSettings> {
  const { text, values } = settingsStatement(tenantId);
  return settingsFrom((await client.query<TSettingsRow>(text, [...(values ?? [])])).rows);
}

type TCheckpointRow = {
  seq: string;
  hash: string;
  key_id: string;
  signature: string;
  log_index: string | null;
  created_at: Date;
  version: number;
  prev_seq: string | null;
  prev_digest: string | null;
};

const CHECKPOINT_COLUMNS =
  "c.seq::text, c.hash, c.key_id, c.signature, c.log_index::text, c.created_at, c.version, c.prev_seq::text, c.prev_digest";

function toCheckpoint(tenantId: string, row: TCheckpointRow): TCheckpoint {
  return {
    tenantId,
    seq: row.seq,
    hash: row.hash,
    version: row.version === 1 ? 1 : 2,
    prevSeq: row.prev_seq,
    prevDigest: row.prev_digest,
    keyId: row.key_id,
    signature: row.signature,
    logIndex: row.log_index,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Sign the given committed head (or, inside the append's own transaction, the head it
 * holds), chained to the checkpoint before it, and anchor it. Idempotent per (tenant,
 * seq); a head older than the newest checkpoint is not checkpointed (null): that one
 * already covers it.
 */
export async function createCheckpoint(
  client: SqlClient,
  tenantId: string,
  head: { seq: string; hash: string },
  settings?: TSettings,
): Promise<TCheckpoint | null> {
  // One round trip: the lock, then everything read under it (this head's checkpoint or
  // the first after it, the one before, the settings, the signing key and data key).
  const [, existing, before, settingsRead, keyRead, dataKeyRead] = await runPipeline(client, [
    lockCheckpointsStatement(tenantId),
    {
      name: "fabric_checkpoint_at_or_after",
      text: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints c WHERE c.tenant_id = $1 AND c.seq >= $2 ORDER BY c.seq LIMIT 1`,
      values: [tenantId, head.seq],
    },
    {
      name: "fabric_checkpoint_before",
      text: `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints c WHERE c.tenant_id = $1 AND c.seq < $2 ORDER BY c.seq DESC LIMIT 1`,
      values: [tenantId, head.seq],
    },
    settingsStatement(tenantId),
    ...activeSigningKeyStatements(tenantId),
  ]);
  const found = existing?.rows[0] as TCheckpointRow | undefined;
  if (found) return found.seq === head.seq ? toCheckpoint(tenantId, found) : null;
  const previousRow = before?.rows[0] as TCheckpointRow | undefined;
  const previous = previousRow ? toCheckpoint(tenantId, previousRow) : null;
  const statement: TCheckpointStatement = {
    tenantId,
    ...head,
    version: CHECKPOINT_VERSION,
    prevSeq: previous?.seq ?? null,
    prevDigest: previous ? checkpointDigest(previous) : null,
  };
  const { anchoring } = settings ?? settingsFrom(settingsRead?.rows ?? []);
  const key = await activeSigningKey(client, tenantId, keyRead && dataKeyRead ? [keyRead, dataKeyRead] : undefined);
  const signature = sign(key.privateKey, checkpointMessage(statement));
  const anchored =
    anchoring === "builtin"
      ? await builtinLog.anchor(client, checkpointLeaf({ ...statement, keyId: key.id, signature }))
      : { logIndex: null };
  const { rows } = await client.query<{ created_at: Date }>(
    `INSERT INTO checkpoints (tenant_id, seq, hash, key_id, signature, log_index, version, prev_seq, prev_digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at`,
    [tenantId, head.seq, head.hash, key.id, signature, anchored.logIndex, statement.version, statement.prevSeq, statement.prevDigest],
  );
  return {
    ...statement,
    keyId: key.id,
    signature,
    logIndex: anchored.logIndex,
    createdAt: (rows[0]?.created_at ?? new Date()).toISOString(),
  };
}

/** Newest first. */
export async function listCheckpoints(client: SqlClient, tenantId: string, options: { limit?: number } = {}): Promise<TCheckpoint[]> {
  const { rows } = await client.query<TCheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints c WHERE c.tenant_id = $1 ORDER BY c.seq DESC ${options.limit ? "LIMIT " + Math.floor(options.limit) : ""}`,
    [tenantId],
  );
  return rows.map((row) => toCheckpoint(tenantId, row));
}

/**
 * The time-based checkpoint: if the chain has grown since the last checkpoint
 * and that one is older than the tenant's interval, checkpoint the head now.
 */
export async function checkpointIfDue(client: SqlClient, tenantId: string, now = new Date()): Promise<TCheckpoint | null> {
  // The committed head; createCheckpoint serializes with the tenant's other checkpoints.
  const head = (
    await client.query<{ last_seq: string; last_hash: string }>("SELECT last_seq::text, last_hash FROM event_chains WHERE tenant_id = $1", [
      tenantId,
    ])
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
