// Streaming chain verification: feed entries in sequence order, get the first
// failure with its reason. Pure: the service feeds it from the database, the
// export verifier from a file.
import { eventHash, GENESIS_HASH, type THashedEvent } from "./hash";

export type TChainEntry =
  | ({ kind: "event"; prevHash: string; hash: string } & THashedEvent)
  | { kind: "summary"; firstSeq: string; lastSeq: string; count: number; firstPrevHash: string; lastHash: string };

export type TVerifyFailure = {
  seq: string;
  reason: "hash_mismatch" | "broken_link" | "gap" | "reorder" | "truncated" | "checkpoint_mismatch";
  message: string;
};

export type TVerifyResult =
  { isValid: true; checked: number; lastSeq: string; lastHash: string } | { isValid: false; checked: number; failure: TVerifyFailure };

export class ChainVerifier {
  private expectedSeq: bigint;
  private runningHash: string;
  private checkedCount = 0;
  private failure: TVerifyFailure | null = null;

  /** Start at the chain's beginning, or after a known (seq, hash), e.g. a verified checkpoint. */
  constructor(start: { afterSeq: string; hash: string } = { afterSeq: "0", hash: GENESIS_HASH }) {
    this.expectedSeq = BigInt(start.afterSeq) + 1n;
    this.runningHash = start.hash;
  }

  get checked(): number {
    return this.checkedCount;
  }

  /** The chain's hash after the last entry pushed (to compare with checkpoints and the head). */
  get head(): { seq: string; hash: string } {
    return { seq: (this.expectedSeq - 1n).toString(), hash: this.runningHash };
  }

  /** Record a failure found outside the entries themselves (a checkpoint or head that disagrees). */
  reject(failure: TVerifyFailure): TVerifyFailure {
    return this.failure ?? this.fail(failure);
  }

  /** Returns the failure once one is found; later entries are ignored. */
  push(entry: TChainEntry): TVerifyFailure | null {
    if (this.failure) return this.failure;
    const first = BigInt(entry.kind === "event" ? entry.seq : entry.firstSeq);
    if (first !== this.expectedSeq) {
      const reason = first < this.expectedSeq ? "reorder" : "gap";
      return this.fail({
        // For a gap, the first missing event is where the chain breaks.
        seq: (reason === "gap" ? this.expectedSeq : first).toString(),
        reason,
        message:
          reason === "gap"
            ? `expected sequence ${this.expectedSeq}, found ${first}: events ${this.expectedSeq}–${first - 1n} are missing`
            : `sequence ${first} appears after ${this.expectedSeq - 1n}: events are out of order or duplicated`,
      });
    }
    if (entry.kind === "summary") {
      if (entry.firstPrevHash !== this.runningHash) {
        return this.fail({
          seq: entry.firstSeq,
          reason: "broken_link",
          message: `the retention summary starting at ${entry.firstSeq} does not link to the event before it`,
        });
      }
      this.runningHash = entry.lastHash;
      this.expectedSeq = BigInt(entry.lastSeq) + 1n;
      this.checkedCount += 1;
      return null;
    }
    if (entry.prevHash !== this.runningHash) {
      return this.fail({
        seq: entry.seq,
        reason: "broken_link",
        message: `event ${entry.seq} does not link to the event before it (previous hash differs)`,
      });
    }
    if (eventHash(entry.prevHash, entry) !== entry.hash) {
      return this.fail({
        seq: entry.seq,
        reason: "hash_mismatch",
        message: `event ${entry.seq} was changed after it was recorded (its hash does not match its content)`,
      });
    }
    this.runningHash = entry.hash;
    this.expectedSeq += 1n;
    this.checkedCount += 1;
    return null;
  }

  result(): TVerifyResult {
    if (this.failure) return { isValid: false, checked: this.checkedCount, failure: this.failure };
    return { isValid: true, checked: this.checkedCount, lastSeq: (this.expectedSeq - 1n).toString(), lastHash: this.runningHash };
  }

  private fail(failure: TVerifyFailure): TVerifyFailure {
    this.failure = failure;
    return failure;
  }
}

export function verifyEntries(entries: Iterable<TChainEntry>, start?: { afterSeq: string; hash: string }): TVerifyResult {
  const verifier = new ChainVerifier(start);
  for (const entry of entries) if (verifier.push(entry)) break;
  return verifier.result();
}
