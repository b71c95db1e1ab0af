// Offline verification of an export file (format v2, docs/events.md). Beyond every
// event's hash and link and the trailer's signature, it checks what a server that
// signs anything cannot fake without contradicting earlier signatures: every
// checkpoint against the event hash at its seq, the chain of checkpoints, the head
// the header names, and the transparency log's signed tree heads and proofs.
// Names the first line that fails and why; never throws.
import { createHash } from "node:crypto";
import { verify } from "@/server/crypto/signing";
import { checkCheckpointChain, type TSignedCheckpoint } from "./checkpoint-chain";
import { checkpointDigest } from "./checkpoints";
import { EXPORT_FORMAT, exportSignatureMessage, isUnfiltered } from "./export";
import { eventHash, type THashedEvent } from "./hash";
import { checkCheckpointProof, checkTreeHead, type TProofLine } from "./log-evidence";
import type { TSignedTreeHead } from "./tree-heads";
import { ChainVerifier, type TChainEntry } from "./verify";

export type TExportVerification =
  | {
      isValid: true;
      tenantSlug: string;
      events: number;
      checkpoints: number;
      keyId: string;
      /** Unfiltered: every event from genesis to the head is in the file (or summarized by retention). */
      isComplete: boolean;
      headSeq: string;
      treeSize: number;
      logKeyId: string;
      /** Anchored checkpoints proved in the log, and how many of them have no anchoring tree head (anchored before heads were signed). */
      proofs: number;
      proofsWithoutAnchor: number;
    }
  | { isValid: false; line: number; message: string };

export type TVerifyExportOptions = {
  /** The tenant's key obtained out of band; without it, the header's keys are trusted. */
  pinnedPublicKey?: string;
  /** The transparency log's key obtained out of band; without it, the header's log keys are trusted. */
  pinnedLogPublicKey?: string;
};

type TKey = { keyId: string; publicKey: string };
type TCheckpointLine = TSignedCheckpoint & { logIndex: string | null; line: number };
type THeader = {
  tenantId: string;
  tenantSlug: string;
  headSeq: string;
  headHash: string;
  checkpoints: { count: number; last: { seq: string; digest: string } | null };
  filters: Record<string, unknown[] | string | undefined>;
  publicKeys: TKey[];
  logPublicKeys: TKey[];
};

const HEX_DIGEST = /^[0-9a-f]{64}$/;
const SEQ = /^[0-9]+$/;
// Line kinds must come in this order; a line moved across sections is an alteration.
const PHASE: Record<string, number> = { event: 1, summary: 1, checkpoint: 2, treeHead: 3, proof: 4 };

class Failure extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

function check(condition: unknown, line: number, message: string): asserts condition {
  if (!condition) throw new Failure(line, message);
}

function isWellFormedEvent(event: Record<string, unknown>): boolean {
  const strings = ["tenantId", "seq", "type", "eventClass", "createdAt", "prevHash", "hash"];
  return (
    strings.every((field) => typeof event[field] === "string") &&
    (event.runId === null || typeof event.runId === "string") &&
    "payload" in event &&
    event.payload !== undefined &&
    SEQ.test(String(event.seq))
  );
}

function isWellFormedHeader(header: Record<string, unknown>): boolean {
  const claim = header.checkpoints as THeader["checkpoints"] | undefined;
  const isKeyList = (value: unknown) =>
    Array.isArray(value) && value.every((key: TKey) => typeof key?.keyId === "string" && typeof key.publicKey === "string");
  return (
    typeof header.tenantId === "string" &&
    typeof header.headSeq === "string" &&
    SEQ.test(header.headSeq) &&
    typeof header.headHash === "string" &&
    HEX_DIGEST.test(header.headHash) &&
    !!claim &&
    Number.isSafeInteger(claim.count) &&
    (claim.last === null || (typeof claim.last?.seq === "string" && typeof claim.last.digest === "string")) &&
    typeof header.filters === "object" &&
    header.filters !== null &&
    isKeyList(header.publicKeys) &&
    isKeyList(header.logPublicKeys)
  );
}

function isWellFormedCheckpoint(record: Record<string, unknown>): boolean {
  const isOptionalSeq = (value: unknown) => value === null || (typeof value === "string" && SEQ.test(value));
  return (
    typeof record.seq === "string" &&
    SEQ.test(record.seq) &&
    typeof record.hash === "string" &&
    (record.version === 1 || record.version === 2) &&
    isOptionalSeq(record.prevSeq) &&
    (record.prevDigest === null || typeof record.prevDigest === "string") &&
    typeof record.keyId === "string" &&
    typeof record.signature === "string" &&
    isOptionalSeq(record.logIndex)
  );
}

export function verifyExport(text: string, options: TVerifyExportOptions = {}): TExportVerification {
  try {
    return new ExportVerifier(options).run(text);
  } catch (error) {
    if (error instanceof Failure) return { isValid: false, line: error.line, message: error.message };
    // A file altered in a way no check anticipated is still just "not verified".
    return { isValid: false, line: 0, message: "The file is malformed: it was altered or is not an Agent Fabric export." };
  }
}

class ExportVerifier {
  private header!: THeader;
  private headSeq = 0n;
  private isComplete = false;
  private keys = new Map<string, string>();
  private logKeys = new Map<string, string>();
  private readonly digest = createHash("sha256");
  private phase = 0;
  private events = 0;
  private lastEventLine = 0;
  private previous: { seq: bigint; hash: string } | null = null;
  private chain: ChainVerifier | null = null;
  /** seq -> hash of every event in the file (and of each retention summary's last event, when complete). */
  private readonly hashes = new Map<string, string>();
  private readonly checkpoints: TCheckpointLine[] = [];
  private readonly checkpointBySeq = new Map<string, TCheckpointLine>();
  private treeHead: TSignedTreeHead | null = null;
  private readonly proved = new Map<string, TProofLine>();

  constructor(private readonly options: TVerifyExportOptions) {}

  run(text: string): TExportVerification {
    const rawLines = text.split("\n");
    if (rawLines[rawLines.length - 1] === "") rawLines.pop();
    check(rawLines.length >= 2, 1, "The file is empty or truncated: no header and trailer.");
    for (const [index, raw] of rawLines.entries()) {
      const lineNo = index + 1;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new Failure(lineNo, `Line ${lineNo} is not valid JSON: the file was altered or truncated.`);
      }
      check(record && typeof record === "object", lineNo, `Line ${lineNo} is not a JSON object: the file was altered.`);
      if (index === rawLines.length - 1) return this.trailer(record, lineNo);
      if (index === 0) this.readHeader(record);
      else this.line(record, lineNo);
      this.digest.update(`${raw}\n`);
    }
    throw new Failure(rawLines.length, "The file does not end with a signed trailer: it was truncated.");
  }

  private readHeader(record: Record<string, unknown>): void {
    if (record.kind === "header" && record.format === "agent-fabric/export/v1") {
      throw new Failure(
        1,
        "This is a v1 export, which cannot prove that history was not rewritten (no head hash, checkpoint chain or log proofs): export it again.",
      );
    }
    check(record.kind === "header" && record.format === EXPORT_FORMAT, 1, `Line 1 is not an ${EXPORT_FORMAT} header.`);
    check(isWellFormedHeader(record), 1, "Line 1 (header) is not well formed: the file was altered.");
    this.header = record as unknown as THeader;
    this.headSeq = BigInt(this.header.headSeq);
    this.isComplete = isUnfiltered(this.header.filters);
    if (this.isComplete) this.chain = new ChainVerifier();
    this.keys = new Map(this.header.publicKeys.map((key) => [key.keyId, key.publicKey]));
    const pinnedLog = this.options.pinnedLogPublicKey;
    const logKeys = this.header.logPublicKeys.filter((key) => !pinnedLog || key.publicKey === pinnedLog);
    check(
      logKeys.length > 0,
      1,
      pinnedLog ? "The header does not list the log public key you gave." : "The header lists no log public key.",
    );
    this.logKeys = new Map(logKeys.map((key) => [key.keyId, key.publicKey]));
  }

  private line(record: Record<string, unknown>, lineNo: number): void {
    const kind = String(record.kind);
    const phase = PHASE[kind];
    check(phase !== undefined, lineNo, `Line ${lineNo} has an unknown kind "${kind}".`);
    check(phase >= this.phase, lineNo, `Line ${lineNo}: a ${kind} line after the file's later sections: lines were moved.`);
    this.phase = phase;
    if (kind === "event") this.event(record, lineNo);
    else if (kind === "summary") this.summary(record, lineNo);
    else if (kind === "checkpoint") this.checkpoint(record, lineNo);
    else if (kind === "treeHead") this.readTreeHead(record, lineNo);
    else this.proof(record as unknown as TProofLine, lineNo);
  }

  private event(record: Record<string, unknown>, lineNo: number): void {
    check(isWellFormedEvent(record), lineNo, `Line ${lineNo} is not a well-formed event: the file was altered.`);
    const event = record as unknown as THashedEvent & { prevHash: string; hash: string };
    const at = `Line ${lineNo} (event ${event.seq})`;
    check(event.tenantId === this.header.tenantId, lineNo, `Line ${lineNo} holds an event of another tenant.`);
    check(eventHash(event.prevHash, event) === event.hash, lineNo, `${at}: the event was changed after it was recorded (hash mismatch).`);
    const seq = BigInt(event.seq);
    check(seq <= this.headSeq, lineNo, `${at} is beyond the head the header names (event ${this.headSeq}): the header is not this file's.`);
    if (this.chain) this.push({ kind: "event", ...event }, lineNo, at);
    else {
      const previous = this.previous;
      check(!previous || seq > previous.seq, lineNo, `${at} is out of order: it comes after event ${previous?.seq}.`);
      check(
        !previous || seq !== previous.seq + 1n || event.prevHash === previous.hash,
        lineNo,
        `${at} does not link to event ${previous?.seq} before it.`,
      );
    }
    this.previous = { seq, hash: event.hash };
    this.hashes.set(event.seq, event.hash);
    this.events += 1;
    this.lastEventLine = lineNo;
  }

  private summary(record: Record<string, unknown>, lineNo: number): void {
    if (!this.chain) return;
    const summary = record as unknown as Extract<TChainEntry, { kind: "summary" }>;
    const isWellFormed =
      typeof summary.firstSeq === "string" &&
      SEQ.test(summary.firstSeq) &&
      typeof summary.lastSeq === "string" &&
      SEQ.test(summary.lastSeq) &&
      typeof summary.firstPrevHash === "string" &&
      typeof summary.lastHash === "string";
    check(isWellFormed, lineNo, `Line ${lineNo} is not a well-formed retention summary: the file was altered.`);
    this.push(summary, lineNo, `Line ${lineNo} (retention summary of events ${summary.firstSeq}–${summary.lastSeq})`);
    this.hashes.set(summary.lastSeq, summary.lastHash);
    this.lastEventLine = lineNo;
  }

  private push(entry: TChainEntry, lineNo: number, at: string): void {
    const failure = this.chain?.push(entry);
    if (!failure) return;
    const messages: Record<string, string> = {
      gap: `expected event ${failure.seq} here: events are missing or out of order`,
      reorder: `it comes after event ${this.chain?.head.seq ?? "?"}: events are out of order or duplicated`,
    };
    throw new Failure(lineNo, `${at}: ${messages[failure.reason] ?? failure.message}.`);
  }

  private checkpoint(record: Record<string, unknown>, lineNo: number): void {
    check(isWellFormedCheckpoint(record), lineNo, `Line ${lineNo} is not a well-formed checkpoint: the file was altered.`);
    const checkpoint = { ...(record as unknown as TCheckpointLine), tenantId: this.header.tenantId, line: lineNo };
    const at = `Line ${lineNo} (checkpoint at ${checkpoint.seq})`;
    check(!this.checkpointBySeq.has(checkpoint.seq), lineNo, `${at} appears twice.`);
    check(
      BigInt(checkpoint.seq) <= this.headSeq,
      lineNo,
      `${at} is beyond the head the header names (event ${this.headSeq}): events after it were removed, or the header is not this file's.`,
    );
    const eventHashAt = this.hashes.get(checkpoint.seq);
    check(
      eventHashAt === undefined || eventHashAt === checkpoint.hash,
      lineNo,
      `${at}: it signs hash ${checkpoint.hash.slice(0, 16)}… for event ${checkpoint.seq}, but the file's event ${checkpoint.seq} has hash ${eventHashAt?.slice(0, 16)}…: the history was rewritten after the checkpoint was signed (an event at or before ${checkpoint.seq} was changed and the hashes after it recomputed).`,
    );
    this.checkpoints.push(checkpoint);
    this.checkpointBySeq.set(checkpoint.seq, checkpoint);
  }

  private readTreeHead(record: Record<string, unknown>, lineNo: number): void {
    check(this.treeHead === null, lineNo, `Line ${lineNo}: a second tree head.`);
    const { kind: _kind, ...head } = record;
    const problem = checkTreeHead(head, this.logKeys, "the current tree head");
    check(problem === null, lineNo, `Line ${lineNo} (tree head): ${problem}.`);
    this.treeHead = head as unknown as TSignedTreeHead;
  }

  private proof(proof: TProofLine, lineNo: number): void {
    const seq = String(proof.checkpointSeq);
    const at = `Line ${lineNo} (proof of the checkpoint at ${seq})`;
    check(this.treeHead, lineNo, `${at}: no tree head precedes it.`);
    const checkpoint = this.checkpointBySeq.get(seq);
    check(checkpoint, lineNo, `${at}: the file holds no checkpoint at ${seq}.`);
    check(!this.proved.has(seq), lineNo, `${at} appears twice.`);
    const problem = checkCheckpointProof(checkpoint, proof, this.treeHead, this.logKeys);
    check(problem === null, lineNo, `${at}: ${problem}.`);
    this.proved.set(seq, proof);
  }

  /** Cross-checks that need the whole file, then the trailer's digest and signature. */
  private trailer(record: Record<string, unknown>, lineNo: number): TExportVerification {
    check(record.kind === "trailer", lineNo, "The file does not end with a signed trailer: it was truncated.");
    this.checkHead(lineNo);
    const broken = checkCheckpointChain(this.checkpoints, this.keys);
    if (broken) {
      const line = this.checkpointBySeq.get(broken.seq)?.line ?? lineNo;
      throw new Failure(line, `Line ${line} (checkpoint at ${broken.seq}): ${broken.message}.`);
    }
    this.checkCheckpointClaim();
    check(this.treeHead, lineNo, "The file has no signed tree head of the transparency log: it was altered.");
    for (const checkpoint of this.checkpoints) {
      check(
        checkpoint.logIndex === null || this.proved.has(checkpoint.seq),
        checkpoint.line,
        `Line ${checkpoint.line} (checkpoint at ${checkpoint.seq}): it was anchored at log index ${checkpoint.logIndex}, but the file has no proof of it in the log.`,
      );
    }

    const expected = this.digest.digest("hex");
    check(
      record.digest === expected && record.lines === lineNo - 1,
      lineNo,
      "The file's content does not match its signed digest: lines were changed, added or removed after export.",
    );
    const key = this.keys.get(String(record.keyId));
    check(key, lineNo, `The trailer is signed by key ${String(record.keyId)}, which the header does not list.`);
    check(
      !this.options.pinnedPublicKey || this.options.pinnedPublicKey === key,
      lineNo,
      "The export is not signed by the public key you gave.",
    );
    check(verify(key, exportSignatureMessage(expected), String(record.signature)), lineNo, "The trailer's signature is not valid.");
    const proofs = [...this.proved.values()];
    return {
      isValid: true,
      tenantSlug: this.header.tenantSlug,
      events: this.events,
      checkpoints: this.checkpoints.length,
      keyId: String(record.keyId),
      isComplete: this.isComplete,
      headSeq: this.header.headSeq,
      treeSize: this.treeHead.treeSize,
      logKeyId: this.treeHead.keyId,
      proofs: proofs.length,
      proofsWithoutAnchor: proofs.filter((proof) => proof.anchor === null).length,
    };
  }

  /** The header's head against the file: the last event when it is here; the end of the chain when the export is complete. */
  private checkHead(lineNo: number): void {
    const { headSeq, headHash } = this.header;
    const atHead = this.hashes.get(headSeq);
    check(
      atHead === undefined || atHead === headHash,
      1,
      `Line 1 (header): it names head hash ${headHash.slice(0, 16)}… for event ${headSeq}, but the file's event ${headSeq} has hash ${atHead?.slice(0, 16)}…: the header belongs to another export, or the history was rewritten.`,
    );
    if (!this.chain) return;
    const end = this.chain.head;
    check(
      end.seq === headSeq,
      this.lastEventLine || lineNo,
      `The file ends at event ${end.seq} (line ${this.lastEventLine}) but its header says the chain's head is event ${headSeq}: events were removed from the end.`,
    );
    check(
      end.hash === headHash,
      1,
      `Line 1 (header): its head hash does not match the chain's last event ${headSeq}: the header belongs to another export.`,
    );
  }

  /** The header names the newest checkpoint and the count: dropping the latest one contradicts it. */
  private checkCheckpointClaim(): void {
    const claim = this.header.checkpoints;
    const last = this.checkpoints[this.checkpoints.length - 1];
    const lastDigest = last ? checkpointDigest(last) : null;
    const isSame =
      claim.count === this.checkpoints.length &&
      (claim.last?.seq ?? null) === (last?.seq ?? null) &&
      (claim.last?.digest ?? null) === lastDigest;
    check(
      isSame,
      1,
      `Line 1 (header): it says the export holds ${claim.count} checkpoints, the last at ${claim.last?.seq ?? "none"}, but the file holds ${this.checkpoints.length}, the last at ${last?.seq ?? "none"}${last ? ` (line ${last.line})` : ""}: checkpoints were removed or replaced.`,
    );
  }
}
