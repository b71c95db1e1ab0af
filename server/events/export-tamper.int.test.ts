// A server that signs anything: exports tampered with and then re-signed with the
// tenant's own key must still fail offline verification, because they contradict
// signatures made earlier (checkpoints, the checkpoint chain, the log's tree heads).
// And the server itself refuses to sign a history an attacker rewrote in the database.
import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sign } from "@/server/crypto/signing";
import { withTenant } from "@/server/db";
import { AppError } from "@/server/errors";
import { createTenantFixture } from "@/server/test/factories";
import { checkpointsSettled, recordEvents } from "./append";
import { CREATED_AT_ISO, verifyChain } from "./chain";
import { checkpointDigest, checkpointMessage, type TCheckpoint } from "./checkpoints";
import { exportLines, exportSignatureMessage, prepareExport } from "./export";
import { verifyExport } from "./export-verify";
import { eventHash, type THashedEvent } from "./hash";
import { activeSigningKey, publicKeys } from "./keys";
import { logPublicKeys } from "./tree-heads";

let superuser: pg.Client;
beforeAll(async () => {
  superuser = new pg.Client({ connectionString: inject("superDatabaseUrl") });
  await superuser.connect();
});
afterAll(async () => {
  await superuser?.end();
});

type TRecord = Record<string, unknown> & { kind: string };
type TEventRecord = TRecord & THashedEvent & { prevHash: string; hash: string };

/** 23 events, a checkpoint every 5 (at 5, 10, 15, 20), anchored in the built-in log. */
async function tenantWithChain() {
  const fx = await createTenantFixture();
  await withTenant(fx.tenant.id, (_db, { sql: client }) =>
    client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 5)", [fx.tenant.id]),
  );
  for (let i = 1; i <= 23; i += 1) {
    await recordEvents(fx.tenant.id, [{ type: "message.user", eventClass: "message", payload: { text: `event ${i}`, amount: i } }]);
  }
  await checkpointsSettled();
  return fx.tenant;
}

async function exportText(tenant: { id: string; slug: string }, filters = {}): Promise<string> {
  let text = "";
  for await (const line of exportLines(tenant, filters)) text += line;
  return text;
}

const parse = (text: string): TRecord[] =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as TRecord);

/** Rebuild the file with a fresh trailer signed by the tenant's key: what a compromised server would hand out. */
async function resign(tenantId: string, records: TRecord[]): Promise<string> {
  const key = await withTenant(tenantId, (_db, { sql: client }) => activeSigningKey(client, tenantId));
  const body = records.filter((record) => record.kind !== "trailer").map((record) => `${JSON.stringify(record)}\n`);
  const digest = createHash("sha256").update(body.join("")).digest("hex");
  const trailer = {
    kind: "trailer",
    lines: body.length,
    events: records.filter((record) => record.kind === "event").length,
    digest,
    keyId: key.id,
    signature: sign(key.privateKey, exportSignatureMessage(digest)),
  };
  return `${body.join("")}${JSON.stringify(trailer)}\n`;
}

/** Change event `seq`'s payload and recompute every hash and link after it, and the header's head hash. */
function rewriteAndRehash(records: TRecord[], seq: string): TRecord[] {
  const out = records.map((record) => ({ ...record }));
  let prevHash: string | null = null;
  for (const record of out) {
    if (record.kind !== "event") continue;
    const event = record as TEventRecord;
    if (event.seq === seq) event.payload = { text: "forged", amount: 1_000_000 };
    if (prevHash === null && event.seq !== seq) continue;
    if (prevHash !== null) event.prevHash = prevHash;
    event.hash = eventHash(event.prevHash, event);
    prevHash = event.hash;
  }
  const last = out.filter((record) => record.kind === "event").pop() as TEventRecord;
  const header = out[0] as TRecord;
  header.headHash = last.hash;
  return out;
}

const failure = (result: ReturnType<typeof verifyExport>) => (result.isValid ? null : result);

describe("offline verification of a tampered, re-signed export", () => {
  it("an untouched export verifies, with the tenant's key and the log's key pinned; other keys are refused", async () => {
    const tenant = await tenantWithChain();
    const text = await exportText(tenant);
    const [tenantKey] = await withTenant(tenant.id, (_db, { sql: client }) => publicKeys(client, tenant.id));
    const logKeys = await withTenant(tenant.id, (_db, { sql: client }) => logPublicKeys(client));
    const result = verifyExport(text, { pinnedPublicKey: tenantKey?.publicKey, pinnedLogPublicKey: logKeys[0]?.publicKey });
    expect(result).toMatchObject({
      isValid: true,
      events: 23,
      checkpoints: 4,
      isComplete: true,
      headSeq: "23",
      proofs: 4,
      proofsWithoutAnchor: 0,
    });
    expect(failure(verifyExport(text, { pinnedLogPublicKey: "A".repeat(43) }))?.message).toBe(
      "The header does not list the log public key you gave.",
    );
  });

  it("rewrite-and-rehash, re-signed: the checkpoint at the next boundary contradicts the event hash at its seq", async () => {
    const tenant = await tenantWithChain();
    const tampered = await resign(tenant.id, rewriteAndRehash(parse(await exportText(tenant)), "7"));
    const result = failure(verifyExport(tampered));
    expect(result?.message).toMatch(
      /^Line \d+ \(checkpoint at 10\): it signs hash .* but the file's event 10 has hash .*the history was rewritten/,
    );
  });

  it("rewrite-and-rehash with the checkpoints re-signed too: the log's inclusion proof of the first re-signed checkpoint fails", async () => {
    const tenant = await tenantWithChain();
    const records = rewriteAndRehash(parse(await exportText(tenant)), "7");
    const key = await withTenant(tenant.id, (_db, { sql: client }) => activeSigningKey(client, tenant.id));
    const hashes = new Map(records.filter((r) => r.kind === "event").map((r) => [String(r.seq), String(r.hash)]));
    let previous: TCheckpoint | null = null;
    for (const record of records.filter((r) => r.kind === "checkpoint")) {
      const checkpoint = record as unknown as TCheckpoint;
      checkpoint.hash = hashes.get(checkpoint.seq) ?? checkpoint.hash;
      checkpoint.prevDigest = previous ? checkpointDigest(previous) : null;
      checkpoint.signature = sign(key.privateKey, checkpointMessage(checkpoint));
      previous = checkpoint;
    }
    (records[0] as TRecord).checkpoints = { count: 4, last: { seq: "20", digest: checkpointDigest(previous as TCheckpoint) } };
    const result = failure(verifyExport(await resign(tenant.id, records)));
    expect(result?.message).toMatch(
      /^Line \d+ \(proof of the checkpoint at 10\): the inclusion proof .* does not lead to the current tree head/,
    );
  });

  it("truncation: lines cut at the end, or the last event dropped with the trailer recomputed", async () => {
    const tenant = await tenantWithChain();
    const text = await exportText(tenant);
    const cut = text.split("\n").slice(0, -4).join("\n");
    expect(failure(verifyExport(cut))?.message).toBe("The file does not end with a signed trailer: it was truncated.");
    const dropped = await resign(
      tenant.id,
      parse(text).filter((record) => !(record.kind === "event" && record.seq === "23")),
    );
    expect(failure(verifyExport(dropped))?.message).toMatch(
      /The file ends at event 22 \(line \d+\) but its header says the chain's head is event 23: events were removed from the end/,
    );
  });

  it("reordering two events, re-signed, fails at the first line out of place", async () => {
    const tenant = await tenantWithChain();
    const records = parse(await exportText(tenant));
    const a = records.findIndex((record) => record.kind === "event" && record.seq === "12");
    const b = records.findIndex((record) => record.kind === "event" && record.seq === "13");
    [records[a], records[b]] = [records[b] as TRecord, records[a] as TRecord];
    expect(failure(verifyExport(await resign(tenant.id, records)))).toMatchObject({
      line: a + 1,
      message: `Line ${a + 1} (event 13): expected event 12 here: events are missing or out of order.`,
    });
  });

  it("a dropped checkpoint: in the middle the next one's chain link names it; the latest contradicts the header", async () => {
    const tenant = await tenantWithChain();
    const records = parse(await exportText(tenant));
    const without = (seq: string) =>
      records.filter(
        (record) => !((record.kind === "checkpoint" && record.seq === seq) || (record.kind === "proof" && record.checkpointSeq === seq)),
      );
    expect(failure(verifyExport(await resign(tenant.id, without("10"))))?.message).toMatch(
      /^Line \d+ \(checkpoint at 15\): the checkpoint at 15 follows a checkpoint at 10, which is missing \(the one before it is at 5\): a checkpoint was removed/,
    );
    expect(failure(verifyExport(await resign(tenant.id, without("20"))))).toMatchObject({
      line: 1,
      message: expect.stringMatching(
        /holds 4 checkpoints, the last at 20, but the file holds 3, the last at 15 .*checkpoints were removed/,
      ),
    });
  });

  it("a swapped header: another export's header, or another head hash, fails even when re-signed", async () => {
    const tenant = await tenantWithChain();
    const earlier = parse(await exportText(tenant));
    await recordEvents(tenant.id, [{ type: "message.user", eventClass: "message", payload: { text: "later" } }]);
    const later = parse(await exportText(tenant));
    // Without re-signing, the digest catches it.
    const swapped = [earlier[0] as TRecord, ...later.slice(1)];
    const unsigned = swapped.map((record) => JSON.stringify(record)).join("\n");
    expect(failure(verifyExport(unsigned))?.isValid).toBe(false);
    expect(failure(verifyExport(await resign(tenant.id, swapped)))?.message).toMatch(
      /^Line \d+ \(event 24\) is beyond the head the header names \(event 23\)/,
    );
    const otherHash = [{ ...(later[0] as TRecord), headHash: "ab".repeat(32) }, ...later.slice(1)];
    expect(failure(verifyExport(await resign(tenant.id, otherHash)))).toMatchObject({
      line: 1,
      message: expect.stringMatching(
        /^Line 1 \(header\): it names head hash abababababababab… for event 24, but the file's event 24 has hash/,
      ),
    });
  });

  it("a tampered tree head signature, inclusion proof or consistency proof fails at its line", async () => {
    await tenantWithChain();
    const tenant = await tenantWithChain();
    const records = parse(await exportText(tenant));
    const headAt = records.findIndex((record) => record.kind === "treeHead");
    const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
    const withHead = records.map((record, i) => (i === headAt ? { ...record, rootHash: flip(String(record.rootHash)) } : record));
    expect(failure(verifyExport(await resign(tenant.id, withHead)))?.message).toMatch(
      new RegExp(`^Line ${headAt + 1} \\(tree head\\): the current tree head \\(size \\d+\\) has no valid signature by the log key`),
    );
    const proofAt = records.findIndex((record) => record.kind === "proof");
    const proof = records[proofAt] as TRecord & { inclusion: string[]; consistency: string[]; checkpointSeq: string };
    expect(proof.inclusion.length).toBeGreaterThan(0);
    const badInclusion = records.map((record, i) =>
      i === proofAt ? { ...proof, inclusion: [flip(proof.inclusion[0] ?? ""), ...proof.inclusion.slice(1)] } : record,
    );
    expect(failure(verifyExport(await resign(tenant.id, badInclusion)))?.message).toMatch(
      new RegExp(
        `^Line ${proofAt + 1} \\(proof of the checkpoint at 5\\): the inclusion proof of the checkpoint at 5 \\(log index \\d+\\) does not lead`,
      ),
    );
    expect(proof.consistency.length).toBeGreaterThan(0);
    const badConsistency = records.map((record, i) =>
      i === proofAt ? { ...proof, consistency: [...proof.consistency.slice(0, -1), flip(proof.consistency.at(-1) ?? "")] } : record,
    );
    expect(failure(verifyExport(await resign(tenant.id, badConsistency)))?.message).toMatch(
      /\(proof of the checkpoint at 5\): the consistency proof from the tree head anchoring the checkpoint at 5 \(size \d+\) to the current tree head \(size \d+\) does not verify/,
    );
    const anchor = proof.anchor as Record<string, unknown>;
    const badAnchor = records.map((record, i) =>
      i === proofAt ? { ...proof, anchor: { ...anchor, signedAt: "2000-01-01T00:00:00.000Z" } } : record,
    );
    expect(failure(verifyExport(await resign(tenant.id, badAnchor)))?.message).toMatch(
      /the tree head anchoring the checkpoint at 5 \(size \d+\) has no valid signature/,
    );
  });
});

/** The attacker: rewrite one event's payload and recompute every hash after it and the chain head, as a superuser. */
async function rewriteInDatabase(tenantId: string, seq: number): Promise<void> {
  await superuser.query("BEGIN");
  await superuser.query(`UPDATE events SET payload = '{"amount":1000000,"text":"forged"}' WHERE tenant_id = $1 AND seq = $2`, [
    tenantId,
    seq,
  ]);
  const { rows } = await superuser.query<{
    seq: string;
    run_id: string | null;
    type: string;
    event_class: string;
    payload: string;
    created_at: string;
    prev_hash: string;
  }>(
    `SELECT e.seq::text, e.run_id, e.type, e.event_class, e.payload, ${CREATED_AT_ISO}, e.prev_hash FROM events e WHERE e.tenant_id = $1 AND e.seq >= $2 ORDER BY e.seq`,
    [tenantId, seq],
  );
  let prevHash = rows[0]?.prev_hash ?? "";
  for (const row of rows) {
    const hash = eventHash(prevHash, {
      tenantId,
      seq: row.seq,
      runId: row.run_id,
      type: row.type,
      eventClass: row.event_class,
      payload: undefined,
      payloadText: row.payload,
      createdAt: row.created_at,
    });
    await superuser.query("UPDATE events SET prev_hash = $3, hash = $4 WHERE tenant_id = $1 AND seq = $2", [
      tenantId,
      row.seq,
      prevHash,
      hash,
    ]);
    prevHash = hash;
  }
  await superuser.query("UPDATE event_chains SET last_hash = $2 WHERE tenant_id = $1", [tenantId, prevHash]);
  await superuser.query("COMMIT");
}

describe("the server refuses to sign a history that does not verify", () => {
  it("rewrite-and-rehash in the database: the export is refused with a coded error naming the first bad event", async () => {
    const tenant = await tenantWithChain();
    await rewriteInDatabase(tenant.id, 7);
    const refusal = await prepareExport(tenant.id).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(
        /refused \(nothing was signed\): first bad event 10 \(checkpoint_mismatch\): .*an event in 6–10 was rewritten/,
      ),
    });
    // The streaming export refuses before emitting its first line.
    const lines = exportLines(tenant, {});
    await expect(lines.next()).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("with a checkpoint at every event, the rewritten event itself is named", async () => {
    const fx = await createTenantFixture();
    await withTenant(fx.tenant.id, (_db, { sql: client }) =>
      client.query("INSERT INTO event_log_settings (tenant_id, checkpoint_every) VALUES ($1, 1)", [fx.tenant.id]),
    );
    for (let i = 1; i <= 9; i += 1) await recordEvents(fx.tenant.id, [{ type: "message.user", eventClass: "message", payload: { i } }]);
    await checkpointsSettled();
    await rewriteInDatabase(fx.tenant.id, 4);
    await expect(prepareExport(fx.tenant.id)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/first bad event 4 \(checkpoint_mismatch\): .*event 4 was rewritten/),
    });
  });

  it("a checkpoint deleted from the database breaks the checkpoint chain, and the export is refused", async () => {
    const tenant = await tenantWithChain();
    expect(await verifyChain(tenant.id)).toMatchObject({ isValid: true });
    await superuser.query("DELETE FROM checkpoints WHERE tenant_id = $1 AND seq = 10", [tenant.id]);
    expect(await verifyChain(tenant.id)).toMatchObject({
      isValid: false,
      failure: { seq: "15", reason: "checkpoint_mismatch", message: expect.stringContaining("a checkpoint was removed") },
    });
    await expect(prepareExport(tenant.id)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});

describe("the log's platform tables", () => {
  it("are append-only for the app role, and the log's private key is stored sealed", async () => {
    await tenantWithChain();
    const app = new pg.Client({ connectionString: inject("databaseUrl") });
    await app.connect();
    try {
      for (const sql of [
        "UPDATE transparency_tree_heads SET root_hash = repeat('0', 64)",
        "DELETE FROM transparency_tree_heads",
        "UPDATE log_signing_keys SET public_key = 'x'",
        "DELETE FROM log_signing_keys",
      ]) {
        await expect(app.query(sql), sql).rejects.toMatchObject({ code: "42501" });
      }
    } finally {
      await app.end();
    }
    const { rows } = await superuser.query<{ wrapped_data_key: Record<string, unknown>; private_key_sealed: Record<string, unknown> }>(
      "SELECT wrapped_data_key, private_key_sealed FROM log_signing_keys",
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.wrapped_data_key).toMatchObject({ v: 1, masterVersion: expect.any(Number), ciphertext: expect.any(String) });
      expect(Object.keys(row.private_key_sealed).sort()).toEqual(["ciphertext", "iv", "tag", "v"]);
    }
  });
});
