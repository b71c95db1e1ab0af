// The chain of a tenant's checkpoints: each is signed by one of the tenant's keys,
// and from version 2 on each names the one before it (seq and digest), so a removed,
// inserted or replaced checkpoint is detectable. Pure: the database verifier and the
// offline export verifier both feed it the checkpoints in sequence order.
import { checkpointDigest, verifyCheckpointSignature, type TCheckpointStatement } from "./checkpoints";

export type TSignedCheckpoint = TCheckpointStatement & { keyId: string; signature: string };
export type TCheckpointProblem = { seq: string; message: string };

/** The first problem in the chain of checkpoints (all of them, oldest first), or null. */
export function checkCheckpointChain(checkpoints: Iterable<TSignedCheckpoint>, keys: Map<string, string>): TCheckpointProblem | null {
  let previous: TSignedCheckpoint | null = null;
  let hasSeenChained = false;
  for (const checkpoint of checkpoints) {
    const problem = checkOne(checkpoint, previous, keys, hasSeenChained);
    if (problem) return { seq: checkpoint.seq, message: problem };
    hasSeenChained ||= checkpoint.version === 2;
    previous = checkpoint;
  }
  return null;
}

function checkOne(
  checkpoint: TSignedCheckpoint,
  previous: TSignedCheckpoint | null,
  keys: Map<string, string>,
  hasSeenChained: boolean,
): string | null {
  const at = `the checkpoint at ${checkpoint.seq}`;
  const key = keys.get(checkpoint.keyId);
  if (!key) return `${at} is signed by key ${checkpoint.keyId}, which is not one of the tenant's keys`;
  if (!verifyCheckpointSignature(checkpoint, key)) return `${at} has no valid signature`;
  if (previous && BigInt(checkpoint.seq) <= BigInt(previous.seq)) {
    return `${at} comes after the checkpoint at ${previous.seq}: checkpoints are out of order or duplicated`;
  }
  if (checkpoint.version === 1) {
    // Unchained v1 checkpoints all predate the first v2 one; one after it was inserted.
    return hasSeenChained ? `${at} is an unchained (version 1) checkpoint after a chained one: it was inserted` : null;
  }
  if (checkpoint.prevSeq === null) {
    return previous ? `${at} claims to be the tenant's first checkpoint, but the checkpoint at ${previous.seq} precedes it` : null;
  }
  if (!previous) return `${at} follows a checkpoint at ${checkpoint.prevSeq}, which is missing: a checkpoint was removed`;
  if (checkpoint.prevSeq !== previous.seq) {
    return BigInt(checkpoint.prevSeq) > BigInt(previous.seq)
      ? `${at} follows a checkpoint at ${checkpoint.prevSeq}, which is missing (the one before it is at ${previous.seq}): a checkpoint was removed`
      : `${at} follows the checkpoint at ${checkpoint.prevSeq}, not the one at ${previous.seq}: a checkpoint was inserted`;
  }
  if (checkpoint.prevDigest !== checkpointDigest(previous)) {
    return `${at} does not chain to the checkpoint at ${previous.seq} (its digest differs): that checkpoint was altered or replaced`;
  }
  return null;
}
