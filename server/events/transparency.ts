// Proofs from the built-in transparency log (RFC 6962): that a checkpoint is in
// the log, and that a later log contains an earlier one unchanged.
import type { SqlClient } from "@/server/db";
import { AppError } from "@/server/errors";
import { checkpointLeaf, type TCheckpoint } from "./checkpoints";
import { checkCheckpointProof, checkTreeHead, type TProofLine } from "./log-evidence";
import { consistencyProof, inclusionProof, leafHash, MerkleTree, rootFromLeafHashes } from "./merkle";
import { currentTreeHead, logPublicKeys, treeHeadsAt, type TLogPublicKey, type TSignedTreeHead } from "./tree-heads";

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

export type TLogEvidence = { treeHead: TSignedTreeHead; logKeys: TLogPublicKey[]; proofs: TProofLine[] };

/**
 * What an export carries from the log: the current signed tree head and, per anchored
 * checkpoint, its inclusion proof in that head and a consistency proof from the head
 * it was anchored in. Checked here with the offline verifier's own code before
 * anything is signed: the server refuses to vouch for evidence that does not hold.
 */
export async function logEvidence(client: SqlClient, checkpoints: TCheckpoint[]): Promise<TLogEvidence> {
  const treeHead = await currentTreeHead(client);
  const logKeys = await logPublicKeys(client);
  const keys = new Map(logKeys.map((key) => [key.keyId, key.publicKey]));
  const refuse = (problem: string) =>
    new AppError("PRECONDITION_FAILED", `The transparency log does not verify, so the export was refused: ${problem}.`);
  const headProblem = checkTreeHead(treeHead, keys, "the current tree head");
  if (headProblem) throw refuse(headProblem);
  const anchored = checkpoints.filter((checkpoint) => checkpoint.logIndex !== null);
  if (anchored.length === 0) return { treeHead, logKeys, proofs: [] };

  const tree = new MerkleTree(await leafHashes(client, treeHead.treeSize));
  if (tree.size !== treeHead.treeSize || tree.rootHash().toString("hex") !== treeHead.rootHash) {
    throw refuse(`its entries do not match its signed head of size ${treeHead.treeSize}`);
  }
  const anchors = await treeHeadsAt(
    client,
    anchored.map((checkpoint) => Number(checkpoint.logIndex) + 1),
  );
  const proofs = anchored.map((checkpoint): TProofLine => {
    const index = Number(checkpoint.logIndex);
    if (index >= tree.size)
      throw refuse(`the checkpoint at ${checkpoint.seq} names log index ${index}, beyond the log's ${tree.size} entries`);
    const anchor = anchors.get(index + 1) ?? null;
    const proof: TProofLine = {
      kind: "proof",
      checkpointSeq: checkpoint.seq,
      logIndex: String(index),
      inclusion: tree.inclusionProof(index).map((node) => node.toString("hex")),
      anchor,
      consistency: anchor ? tree.consistencyProof(anchor.treeSize).map((node) => node.toString("hex")) : null,
    };
    const problem = checkCheckpointProof(checkpoint, proof, treeHead, keys);
    if (problem) throw refuse(problem);
    return proof;
  });
  return { treeHead, logKeys, proofs };
}
