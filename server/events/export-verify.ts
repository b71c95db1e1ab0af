// Offline verification of an export file: every event's hash, the links between
// consecutive events, checkpoint signatures, and the trailer's signature over
// the digest of every line. Names the first line that fails and why.
import { createHash } from "node:crypto";
import { verify } from "@/server/crypto/signing";
import { checkpointMessage } from "./checkpoints";
import { EXPORT_FORMAT, exportSignatureMessage } from "./export";
import { eventHash, type THashedEvent } from "./hash";

export type TExportVerification =
  | { isValid: true; tenantSlug: string; events: number; checkpoints: number; keyId: string }
  | { isValid: false; line: number; message: string };

type TKey = { keyId: string; publicKey: string };

function isWellFormedEvent(event: Record<string, unknown>): boolean {
  const strings = ["tenantId", "seq", "type", "eventClass", "createdAt", "prevHash", "hash"];
  return (
    strings.every((field) => typeof event[field] === "string") &&
    (event.runId === null || typeof event.runId === "string") &&
    "payload" in event &&
    event.payload !== undefined &&
    /^[0-9]+$/.test(String(event.seq))
  );
}

function fail(line: number, message: string): TExportVerification {
  return { isValid: false, line, message };
}

/** `pinnedPublicKey`: the tenant's key obtained out of band; without it, the header's keys are trusted. */
export function verifyExport(text: string, options: { pinnedPublicKey?: string } = {}): TExportVerification {
  try {
    return verifyLines(text, options);
  } catch {
    // A file altered in a way no check above anticipated is still just "not verified".
    return { isValid: false, line: 0, message: "The file is malformed: it was altered or is not an Agent Fabric export." };
  }
}

function verifyLines(text: string, options: { pinnedPublicKey?: string }): TExportVerification {
  const rawLines = text.split("\n");
  if (rawLines[rawLines.length - 1] === "") rawLines.pop();
  if (rawLines.length < 2) return fail(1, "The file is empty or truncated: no header and trailer.");
  const digest = createHash("sha256");
  let keys = new Map<string, string>();
  let tenantId = "";
  let tenantSlug = "";
  let events = 0;
  let checkpoints = 0;
  let previous: { seq: bigint; hash: string } | null = null;

  for (const [index, raw] of rawLines.entries()) {
    const lineNo = index + 1;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return fail(lineNo, `Line ${lineNo} is not valid JSON: the file was altered or truncated.`);
    }
    const isLast = index === rawLines.length - 1;
    if (index === 0) {
      if (record.kind !== "header" || record.format !== EXPORT_FORMAT) return fail(1, `Line 1 is not an ${EXPORT_FORMAT} header.`);
      tenantId = String(record.tenantId);
      tenantSlug = String(record.tenantSlug);
      keys = new Map(((record.publicKeys as TKey[] | undefined) ?? []).map((key) => [key.keyId, key.publicKey]));
    } else if (isLast) {
      if (record.kind !== "trailer") return fail(lineNo, "The file does not end with a signed trailer: it was truncated.");
      const expected = digest.digest("hex");
      if (record.digest !== expected || record.lines !== index) {
        return fail(lineNo, "The file's content does not match its signed digest: lines were changed, added or removed after export.");
      }
      const key = keys.get(String(record.keyId));
      if (!key) return fail(lineNo, `The trailer is signed by key ${String(record.keyId)}, which the header does not list.`);
      if (options.pinnedPublicKey && options.pinnedPublicKey !== key)
        return fail(lineNo, "The export is not signed by the public key you gave.");
      if (!verify(key, exportSignatureMessage(expected), String(record.signature)))
        return fail(lineNo, "The trailer's signature is not valid.");
      return { isValid: true, tenantSlug, events, checkpoints, keyId: String(record.keyId) };
    } else if (record.kind === "event") {
      const event = record as unknown as THashedEvent & { prevHash: string; hash: string };
      if (!isWellFormedEvent(record)) return fail(lineNo, `Line ${lineNo} is not a well-formed event: the file was altered.`);
      if (event.tenantId !== tenantId) return fail(lineNo, `Line ${lineNo} holds an event of another tenant.`);
      if (eventHash(event.prevHash, event) !== event.hash) {
        return fail(lineNo, `Line ${lineNo} (event ${event.seq}): the event was changed after it was recorded (hash mismatch).`);
      }
      const seq = BigInt(event.seq);
      if (previous && seq === previous.seq + 1n && event.prevHash !== previous.hash) {
        return fail(lineNo, `Line ${lineNo} (event ${event.seq}) does not link to event ${previous.seq} before it.`);
      }
      if (previous && seq <= previous.seq) return fail(lineNo, `Line ${lineNo} (event ${event.seq}) is out of order.`);
      previous = { seq, hash: event.hash };
      events += 1;
    } else if (record.kind === "checkpoint") {
      const checkpoint = record as { seq: string; hash: string; keyId: string; signature: string };
      const key = keys.get(checkpoint.keyId);
      if (!key || !verify(key, checkpointMessage({ tenantId, seq: checkpoint.seq, hash: checkpoint.hash }), checkpoint.signature)) {
        return fail(lineNo, `Line ${lineNo} (checkpoint at ${checkpoint.seq}) has no valid signature.`);
      }
      checkpoints += 1;
    } else if (record.kind !== "summary") {
      return fail(lineNo, `Line ${lineNo} has an unknown kind "${String(record.kind)}".`);
    }
    digest.update(`${raw}\n`);
  }
  return fail(rawLines.length, "The file does not end with a signed trailer: it was truncated.");
}
