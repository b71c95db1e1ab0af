// Offline checks of what an export carries from the transparency log: signed tree
// heads, and per anchored checkpoint its inclusion proof in the current head and a
// consistency proof from the head it was anchored in. Pure and never throws: the
// export verifier runs it on a file, the exporter on what it is about to sign.
import { checkpointLeaf } from "./checkpoints";
import type { TSignedCheckpoint } from "./checkpoint-chain";
import { leafHash, verifyConsistency, verifyInclusion } from "./merkle";
import { verifyTreeHeadSignature, type TSignedTreeHead } from "./tree-heads";

export type TProofLine = {
  kind: "proof";
  checkpointSeq: string;
  logIndex: string;
  /** Inclusion of the checkpoint's leaf in the export's current tree head. */
  inclusion: string[];
  /** The signed head of the log just after the checkpoint was appended (null: anchored before heads were signed). */
  anchor: TSignedTreeHead | null;
  /** From `anchor` to the export's current tree head. */
  consistency: string[] | null;
};

const HEX_DIGEST = /^[0-9a-f]{64}$/;

function digests(value: unknown): Buffer[] | null {
  if (!Array.isArray(value) || !value.every((node) => typeof node === "string" && HEX_DIGEST.test(node))) return null;
  return (value as string[]).map((node) => Buffer.from(node, "hex"));
}

function isTreeHead(value: unknown): value is TSignedTreeHead {
  const head = value as Record<string, unknown> | null;
  return (
    !!head &&
    typeof head === "object" &&
    Number.isSafeInteger(head.treeSize) &&
    (head.treeSize as number) >= 0 &&
    typeof head.rootHash === "string" &&
    HEX_DIGEST.test(head.rootHash) &&
    typeof head.signedAt === "string" &&
    typeof head.keyId === "string" &&
    typeof head.signature === "string"
  );
}

/** Why a tree head cannot be trusted, or null. `keys`: the log keys accepted (pinned, or the header's). */
export function checkTreeHead(head: unknown, keys: Map<string, string>, what: string): string | null {
  if (!isTreeHead(head)) return `${what} is malformed`;
  const key = keys.get(head.keyId);
  if (!key) return `${what} is signed by log key ${head.keyId}, which is not an accepted log key`;
  if (!verifyTreeHeadSignature(head, key)) return `${what} (size ${head.treeSize}) has no valid signature by the log key`;
  return null;
}

/** Why the log's evidence for one anchored checkpoint fails, or null. `current` must already be checked. */
export function checkCheckpointProof(
  checkpoint: TSignedCheckpoint & { logIndex: string | null },
  proof: TProofLine,
  current: TSignedTreeHead,
  keys: Map<string, string>,
): string | null {
  const at = `the checkpoint at ${checkpoint.seq}`;
  if (proof.logIndex !== checkpoint.logIndex)
    return `the proof of ${at} names log index ${proof.logIndex}, the checkpoint ${checkpoint.logIndex}`;
  const index = Number(proof.logIndex);
  const inclusion = digests(proof.inclusion);
  const isIncluded =
    inclusion !== null &&
    verifyInclusion({
      leafHash: leafHash(checkpointLeaf(checkpoint)),
      index,
      treeSize: current.treeSize,
      proof: inclusion,
      root: Buffer.from(current.rootHash, "hex"),
    });
  if (!isIncluded) {
    return `the inclusion proof of ${at} (log index ${proof.logIndex}) does not lead to the current tree head (size ${current.treeSize}): the log did not record this checkpoint`;
  }
  if (proof.anchor === null)
    return proof.consistency === null ? null : `the proof of ${at} has a consistency proof but no anchoring tree head`;
  const anchorProblem = checkTreeHead(proof.anchor, keys, `the tree head anchoring ${at}`);
  if (anchorProblem) return anchorProblem;
  const anchor = proof.anchor;
  if (anchor.treeSize !== index + 1) {
    return `the tree head anchoring ${at} has size ${anchor.treeSize}, but the checkpoint was appended at index ${index}`;
  }
  const consistency = digests(proof.consistency);
  const isConsistent =
    consistency !== null &&
    verifyConsistency({
      oldSize: anchor.treeSize,
      newSize: current.treeSize,
      oldRoot: Buffer.from(anchor.rootHash, "hex"),
      newRoot: Buffer.from(current.rootHash, "hex"),
      proof: consistency,
    });
  if (!isConsistent) {
    return `the consistency proof from the tree head anchoring ${at} (size ${anchor.treeSize}) to the current tree head (size ${current.treeSize}) does not verify: the log was rewritten`;
  }
  return null;
}
