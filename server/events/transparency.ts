// Proofs from the built-in transparency log (RFC 6962): that a checkpoint is in
// the log, and that a later log contains an earlier one unchanged.
import type { SqlClient } from "@/server/db";
import { AppError } from "@/server/errors";
import { checkpointLeaf } from "./checkpoints";
import { consistencyProof, inclusionProof, leafHash, rootFromLeafHashes } from "./merkle";

async function leafHashes(client: SqlClient, size?: number): Promise<Buffer[]> {
  const { rows } = await client.query<{ leaf_hash: string }>(
    `SELECT t.leaf_hash FROM transparency_log_entries t ORDER BY t.index ${size === undefined ? "" : `LIMIT ${Math.floor(size)}`}`,
  );
  return rows.map((row) => Buffer.from(row.leaf_hash, "hex"));
}

export type TTreeHead = { treeSize: number; rootHash: string };

export async function treeHead(client: SqlClient): Promise<TTreeHead> {
  const leaves = await leafHashes(client);
  return { treeSize: leaves.length, rootHash: rootFromLeafHashes(leaves).toString("hex") };
}

export type TInclusion = TTreeHead & { logIndex: number; leafHash: string; proof: string[] };

/** The inclusion proof of one of the tenant's checkpoints in the current log. */
export async function checkpointInclusion(client: SqlClient, tenantId: string, seq: string): Promise<TInclusion> {
  const { rows } = await client.query<{ hash: string; key_id: string; signature: string; log_index: string | null }>(
    "SELECT c.hash, c.key_id, c.signature, c.log_index::text FROM checkpoints c WHERE c.tenant_id = $1 AND c.seq = $2",
    [tenantId, seq],
  );
  const checkpoint = rows[0];
  if (!checkpoint) throw new AppError("NOT_FOUND", "Checkpoint not found.");
  if (checkpoint.log_index === null) throw new AppError("PRECONDITION_FAILED", "This checkpoint was not anchored (anchoring was off).");
  const leaves = await leafHashes(client);
  const index = Number(checkpoint.log_index);
  const leaf = leafHash(
    checkpointLeaf({ tenantId, seq, hash: checkpoint.hash, keyId: checkpoint.key_id, signature: checkpoint.signature }),
  );
  return {
    treeSize: leaves.length,
    rootHash: rootFromLeafHashes(leaves).toString("hex"),
    logIndex: index,
    leafHash: leaf.toString("hex"),
    proof: inclusionProof(leaves, index).map((node) => node.toString("hex")),
  };
}

export type TConsistency = { oldSize: number; newSize: number; oldRoot: string; newRoot: string; proof: string[] };

export async function logConsistency(client: SqlClient, oldSize: number, newSize?: number): Promise<TConsistency> {
  const all = await leafHashes(client, newSize);
  const size = newSize ?? all.length;
  if (all.length < size || oldSize > size || oldSize < 0) {
    throw new AppError("BAD_REQUEST", `The log has ${all.length} entries; choose 0 ≤ oldSize ≤ newSize ≤ ${all.length}.`);
  }
  return {
    oldSize,
    newSize: size,
    oldRoot: rootFromLeafHashes(all.slice(0, oldSize)).toString("hex"),
    newRoot: rootFromLeafHashes(all).toString("hex"),
    proof: consistencyProof(all, oldSize).map((node) => node.toString("hex")),
  };
}
