import { describe, expect, it } from "vitest";
import { generateSigningKey, keyId, sign } from "@/server/crypto/signing";
import { checkCheckpointChain, type TSignedCheckpoint } from "./checkpoint-chain";
import { checkpointDigest, checkpointMessage, type TCheckpointStatement } from "./checkpoints";

const key = generateSigningKey();
const id = keyId(key.publicKey);
const keys = new Map([[id, key.publicKey]]);
const tenantId = "00000000-0000-4000-8000-000000000001";
const hash = (seq: number) => seq.toString(16).padStart(64, "0");

function signed(statement: TCheckpointStatement): TSignedCheckpoint {
  return { ...statement, keyId: id, signature: sign(key.privateKeyPkcs8, checkpointMessage(statement)) };
}

/** Two v1 checkpoints (before chaining), then v2 ones chained to whatever precedes them. */
function chain(seqs: number[], v1Count = 2): TSignedCheckpoint[] {
  const out: TSignedCheckpoint[] = [];
  for (const [index, seq] of seqs.entries()) {
    const previous = out[out.length - 1];
    const statement: TCheckpointStatement =
      index < v1Count
        ? { tenantId, seq: String(seq), hash: hash(seq), version: 1, prevSeq: null, prevDigest: null }
        : {
            tenantId,
            seq: String(seq),
            hash: hash(seq),
            version: 2,
            prevSeq: previous?.seq ?? null,
            prevDigest: previous ? checkpointDigest(previous) : null,
          };
    out.push(signed(statement));
  }
  return out;
}

describe("checkCheckpointChain", () => {
  it("accepts v1 checkpoints followed by a chain of v2 ones, and an empty list", () => {
    expect(checkCheckpointChain(chain([10, 20, 30, 40, 50]), keys)).toBeNull();
    expect(checkCheckpointChain(chain([10, 20, 30], 0), keys)).toBeNull();
    expect(checkCheckpointChain([], keys)).toBeNull();
  });

  it("names a removed checkpoint, whether the first, one in the middle, or the last v1 one", () => {
    const full = chain([10, 20, 30, 40, 50]);
    expect(
      checkCheckpointChain(
        full.filter((c) => c.seq !== "40"),
        keys,
      ),
    ).toEqual({
      seq: "50",
      message: "the checkpoint at 50 follows a checkpoint at 40, which is missing (the one before it is at 30): a checkpoint was removed",
    });
    expect(
      checkCheckpointChain(
        full.filter((c) => c.seq !== "20"),
        keys,
      )?.seq,
    ).toBe("30");
    const chainedOnly = chain([10, 20, 30], 0);
    expect(checkCheckpointChain(chainedOnly.slice(1), keys)?.message).toMatch(/follows a checkpoint at 10, which is missing/);
  });

  it("names an inserted unchained checkpoint, a replaced one, a bad signature and an unknown key", () => {
    const full = chain([10, 20, 30, 40]);
    const v1After = signed({ tenantId, seq: "45", hash: hash(45), version: 1, prevSeq: null, prevDigest: null });
    expect(checkCheckpointChain([...full, v1After], keys)?.message).toMatch(/unchained \(version 1\) checkpoint after a chained one/);
    const replaced = full.map((c) => (c.seq === "30" ? signed({ ...c, hash: hash(31) }) : c));
    expect(checkCheckpointChain(replaced, keys)).toEqual({
      seq: "40",
      message: "the checkpoint at 40 does not chain to the checkpoint at 30 (its digest differs): that checkpoint was altered or replaced",
    });
    const forged = full.map((c) => (c.seq === "20" ? { ...c, hash: hash(21) } : c));
    expect(checkCheckpointChain(forged, keys)).toEqual({ seq: "20", message: "the checkpoint at 20 has no valid signature" });
    expect(checkCheckpointChain(full, new Map())?.message).toMatch(/not one of the tenant's keys/);
    expect(
      checkCheckpointChain(
        [full[1], full[0]].filter((c) => c !== undefined),
        keys,
      )?.message,
    ).toMatch(/out of order/);
  });
});
