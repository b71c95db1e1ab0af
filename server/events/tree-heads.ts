// Signed tree heads (STH) of the built-in transparency log: "the log held N entries
// and its root was R", signed with the platform's log key. A head is stored each
// time a checkpoint is anchored, so every anchored checkpoint has the head of the
// log just after it; an export carries the current head and proofs against it.
//
// The log key is a platform key (the log spans tenants): its private part is sealed
// with a data key that the master key wraps, the same layers as a tenant's key.
import { createDataKey, decryptSecret, encryptSecret, masterKeys, unwrapDataKey, ZSealed, ZWrappedKey } from "@/server/crypto/envelope";
import { generateSigningKey, keyId, sign, verify } from "@/server/crypto/signing";
import { runPipeline, type SqlClient, type TSql } from "@/server/db";
import { canonicalJson } from "./hash";
import { frontierAppend, frontierOf, leafHash, rootFromFrontier } from "./merkle";

export const TREE_HEAD_FORMAT = "agent-fabric/tree-head/v1";

// Not a UUID, so this AAD context can never be a tenant's.
const PLATFORM_CONTEXT = "platform:transparency-log";
const LOG_KEY_PURPOSE = "log-signing-key";
// One global lock for the built-in log: its indexes must be gap-free and in commit
// order, and each size gets exactly one signed head.
const LOG_LOCK = 7_244_001;

export type TSignedTreeHead = { treeSize: number; rootHash: string; signedAt: string; keyId: string; signature: string };
export type TLogPublicKey = { keyId: string; publicKey: string };

export function treeHeadMessage(head: { treeSize: number; rootHash: string; signedAt: string }): string {
  return `${TREE_HEAD_FORMAT}\n${canonicalJson({ treeSize: String(head.treeSize), rootHash: head.rootHash, signedAt: head.signedAt })}`;
}

export function verifyTreeHeadSignature(head: TSignedTreeHead, publicKey: string): boolean {
  return verify(publicKey, treeHeadMessage(head), head.signature);
}

/** Serializes writers of the log until the caller's transaction ends. */
export async function lockLog(client: SqlClient): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1)", [LOG_LOCK]);
}

type TLogKeyRow = { id: string; wrapped_data_key: unknown; private_key_sealed: unknown };

const LOG_KEY = "SELECT id, wrapped_data_key, private_key_sealed FROM log_signing_keys ORDER BY created_at DESC, id LIMIT 1";

/**
 * The log key, created on first use. Call with the log locked, so only one is ever
 * created at a time. `read`: LOG_KEY's rows, when read under the lock already.
 */
async function logSigningKey(client: SqlClient, read?: unknown[]): Promise<{ id: string; privateKey: Buffer }> {
  const rows = (read as TLogKeyRow[] | undefined) ?? (await client.query<TLogKeyRow>(LOG_KEY)).rows;
  const row = rows[0];
  if (row) {
    const dataKey = unwrapDataKey(masterKeys(), PLATFORM_CONTEXT, ZWrappedKey.parse(row.wrapped_data_key));
    const context = { tenantId: PLATFORM_CONTEXT, recordId: row.id, purpose: LOG_KEY_PURPOSE };
    return { id: row.id, privateKey: decryptSecret(dataKey, ZSealed.parse(row.private_key_sealed), context) };
  }
  const generated = generateSigningKey();
  const id = keyId(generated.publicKey);
  const dataKey = createDataKey(masterKeys(), PLATFORM_CONTEXT);
  const sealed = encryptSecret(dataKey.key, generated.privateKeyPkcs8, {
    tenantId: PLATFORM_CONTEXT,
    recordId: id,
    purpose: LOG_KEY_PURPOSE,
  });
  dataKey.key.fill(0);
  await client.query("INSERT INTO log_signing_keys (id, public_key, wrapped_data_key, private_key_sealed) VALUES ($1, $2, $3, $4)", [
    id,
    generated.publicKey,
    dataKey.wrapped,
    sealed,
  ]);
  return { id, privateKey: generated.privateKeyPkcs8 };
}

export async function logPublicKeys(client: SqlClient): Promise<TLogPublicKey[]> {
  const { rows } = await client.query<{ id: string; public_key: string }>(
    "SELECT id, public_key FROM log_signing_keys ORDER BY created_at, id",
  );
  return rows.map((row) => ({ keyId: row.id, publicKey: row.public_key }));
}

type THeadRow = { tree_size: string; root_hash: string; signed_at: Date; key_id: string; signature: string; frontier: unknown };

function toHead(row: THeadRow): TSignedTreeHead {
  return {
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    signedAt: row.signed_at.toISOString(),
    keyId: row.key_id,
    signature: row.signature,
  };
}

const HEAD_COLUMNS = "h.tree_size::text, h.root_hash, h.signed_at, h.key_id, h.signature, h.frontier";

const LATEST_HEAD = `SELECT ${HEAD_COLUMNS} FROM transparency_tree_heads h ORDER BY h.tree_size DESC LIMIT 1`;

async function latestHeadRow(client: SqlClient): Promise<THeadRow | undefined> {
  return (await client.query<THeadRow>(LATEST_HEAD)).rows[0];
}

export async function treeHeadAt(client: SqlClient, treeSize: number): Promise<TSignedTreeHead | null> {
  const row = (await client.query<THeadRow>(`SELECT ${HEAD_COLUMNS} FROM transparency_tree_heads h WHERE h.tree_size = $1`, [treeSize]))
    .rows[0];
  return row ? toHead(row) : null;
}

const LOG_SIZE = "SELECT COALESCE(MAX(t.index) + 1, 0)::text AS size FROM transparency_log_entries t";

async function logSize(client: SqlClient): Promise<number> {
  const { rows } = await client.query<{ size: string }>(LOG_SIZE);
  return Number(rows[0]?.size ?? "0");
}

async function allLeafHashes(client: SqlClient, size: number): Promise<Buffer[]> {
  const { rows } = await client.query<{ leaf_hash: string }>(
    "SELECT t.leaf_hash FROM transparency_log_entries t WHERE t.index < $1 ORDER BY t.index",
    [size],
  );
  return rows.map((row) => Buffer.from(row.leaf_hash, "hex"));
}

/** A signed head of the log, and the statement that stores it with its frontier. */
function signedHead(
  key: { id: string; privateKey: Buffer },
  treeSize: number,
  frontier: Buffer[],
): { head: TSignedTreeHead; statement: TSql } {
  const unsigned = { treeSize, rootHash: rootFromFrontier(frontier).toString("hex"), signedAt: new Date().toISOString() };
  const head = { ...unsigned, keyId: key.id, signature: sign(key.privateKey, treeHeadMessage(unsigned)) };
  return {
    head,
    statement: {
      name: "fabric_store_tree_head",
      text: "INSERT INTO transparency_tree_heads (tree_size, root_hash, signed_at, key_id, signature, frontier) VALUES ($1, $2, $3, $4, $5, $6)",
      values: [
        treeSize,
        head.rootHash,
        head.signedAt,
        head.keyId,
        head.signature,
        JSON.stringify(frontier.map((node) => node.toString("hex"))),
      ],
    },
  };
}

async function storeHead(client: SqlClient, treeSize: number, frontier: Buffer[]): Promise<TSignedTreeHead> {
  const { head, statement } = signedHead(await logSigningKey(client), treeSize, frontier);
  await client.query(statement.text, [...(statement.values ?? [])]);
  return head;
}

/**
 * Append a leaf to the built-in log and sign the head of the log just after it, in two
 * round trips: the log's lock and what is read under it (the next index, the newest
 * head, the log key), then the entry and its head, written together. The previous
 * head's frontier gives the new root in O(log n); entries from before heads were
 * signed are read once to build the first frontier.
 */
export async function appendToLog(client: SqlClient, leaf: Buffer): Promise<{ index: number; head: TSignedTreeHead }> {
  const [, sizeRead, latestRead, keyRead] = await runPipeline(client, [
    { name: "fabric_lock_log", text: "SELECT pg_advisory_xact_lock($1)", values: [LOG_LOCK] },
    { name: "fabric_log_size", text: LOG_SIZE },
    { name: "fabric_latest_tree_head", text: LATEST_HEAD },
    { name: "fabric_log_signing_key", text: LOG_KEY },
  ]);
  const index = Number((sizeRead?.rows[0] as { size: string } | undefined)?.size ?? "0");
  const previous = latestRead?.rows[0] as THeadRow | undefined;
  const leafNode = leafHash(leaf);
  const frontier =
    previous && Number(previous.tree_size) === index
      ? frontierAppend(
          (previous.frontier as string[]).map((node) => Buffer.from(node, "hex")),
          index,
          leafNode,
        )
      : frontierOf([...(await allLeafHashes(client, index)), leafNode]);
  const { head, statement } = signedHead(await logSigningKey(client, keyRead?.rows), index + 1, frontier);
  await runPipeline(client, [
    {
      name: "fabric_log_entry",
      text: "INSERT INTO transparency_log_entries (index, leaf_hash) VALUES ($1, $2)",
      values: [String(index), leafNode.toString("hex")],
    },
    statement,
  ]);
  return { index, head };
}

/** The signed head of the whole log as it is now; signs one if the newest entries have none. */
export async function currentTreeHead(client: SqlClient): Promise<TSignedTreeHead> {
  const size = await logSize(client);
  const latest = await latestHeadRow(client);
  if (latest && Number(latest.tree_size) === size) return toHead(latest);
  await lockLog(client);
  const lockedSize = await logSize(client);
  const existing = await treeHeadAt(client, lockedSize);
  return existing ?? storeHead(client, lockedSize, frontierOf(await allLeafHashes(client, lockedSize)));
}

/** The stored heads of these sizes (an export's anchoring heads), by size. */
export async function treeHeadsAt(client: SqlClient, sizes: number[]): Promise<Map<number, TSignedTreeHead>> {
  if (sizes.length === 0) return new Map();
  const { rows } = await client.query<THeadRow>(
    `SELECT ${HEAD_COLUMNS} FROM transparency_tree_heads h WHERE h.tree_size = ANY($1::bigint[])`,
    [sizes.map(String)],
  );
  return new Map(rows.map((row) => [Number(row.tree_size), toHead(row)]));
}
