// Reading and verifying a tenant's chain from the database.
import { randomBytes } from "node:crypto";
import { withTenant, type SqlClient } from "@/server/db";
import { checkCheckpointChain } from "./checkpoint-chain";
import { GENESIS_HASH } from "./hash";
import { publicKeys } from "./keys";
import { ChainVerifier, type TChainEntry, type TVerifyResult } from "./verify";
import { runtimeSetting } from "@/server/runtime-settings";

const PAGE = 20_000;

type TSummaryRow = { first_seq: string; last_seq: string; count: number; first_prev_hash: string; last_hash: string };
type TEventRow = {
  seq: string;
  run_id: string | null;
  type: string;
  event_class: string;
  payload: string;
  created_at: Date | string;
  prev_hash: string;
  hash: string;
};

/** created_at in JavaScript's toISOString() form, formatted by the database (cheaper than parsing dates). */
export const CREATED_AT_ISO = `to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

export async function summaries(client: SqlClient, tenantId: string, range: { fromSeq: bigint; toSeq: bigint }): Promise<TChainEntry[]> {
  const { rows } = await client.query<TSummaryRow>(
    "SELECT s.first_seq::text, s.last_seq::text, s.count, s.first_prev_hash, s.last_hash FROM event_summaries s WHERE s.tenant_id = $1 AND s.last_seq >= $2 AND s.first_seq <= $3 ORDER BY s.first_seq",
    [tenantId, range.fromSeq.toString(), range.toSeq.toString()],
  );
  return rows.map((row) => ({
    kind: "summary",
    firstSeq: row.first_seq,
    lastSeq: row.last_seq,
    count: row.count,
    firstPrevHash: row.first_prev_hash,
    lastHash: row.last_hash,
  }));
}

export function toEntry(tenantId: string, row: TEventRow): TChainEntry {
  return {
    kind: "event",
    tenantId,
    seq: row.seq,
    runId: row.run_id,
    type: row.type,
    eventClass: row.event_class,
    // The stored canonical text is what was hashed; it is parsed only when shown or exported.
    payload: undefined,
    payloadText: row.payload,
    createdAt: typeof row.created_at === "string" ? row.created_at : row.created_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Events and retention summaries in sequence order. One server-side cursor
 * streams the range (one plan, one index scan, whatever the table statistics
 * say), a page at a time; the next page is requested before the current one is
 * handed out, so the database reads while the caller hashes. Needs a transaction.
 */
export async function* chainEntries(
  client: SqlClient,
  tenantId: string,
  range: { fromSeq: bigint; toSeq: bigint },
): AsyncGenerator<TChainEntry> {
  const pending = await summaries(client, tenantId, range);
  const cursor = `chain_${randomBytes(8).toString("hex")}`;
  await client.query(
    // Order by the bigint column (e.seq), not the text alias.
    `DECLARE ${cursor} NO SCROLL CURSOR FOR
       SELECT e.seq::text, e.run_id, e.type, e.event_class, e.payload, ${CREATED_AT_ISO}, e.prev_hash, e.hash FROM events e
        WHERE e.tenant_id = $1 AND e.seq >= $2 AND e.seq <= $3 ORDER BY e.seq`,
    [tenantId, range.fromSeq.toString(), range.toSeq.toString()],
  );
  const fetchPage = () => {
    const request = client.query<TEventRow>(`FETCH ${PAGE} FROM ${cursor}`);
    // If the caller stops early, a prefetched page nobody awaits must not become an unhandled rejection.
    request.catch(() => undefined);
    return request;
  };
  try {
    let next: ReturnType<typeof fetchPage> | null = fetchPage();
    while (next) {
      const { rows }: { rows: TEventRow[] } = await next;
      next = rows.length === PAGE ? fetchPage() : null;
      for (const row of rows) {
        while (pending[0] && pending[0].kind === "summary" && BigInt(pending[0].firstSeq) < BigInt(row.seq))
          yield pending.shift() as TChainEntry;
        yield toEntry(tenantId, row);
      }
    }
    yield* pending;
  } finally {
    await client.query(`CLOSE ${cursor}`).catch(() => undefined);
  }
}

export type TVerification = TVerifyResult & { headSeq: string; checkpointsChecked: number };

type TCheckpointRow = {
  seq: string;
  hash: string;
  key_id: string;
  signature: string;
  version: number;
  prev_seq: string | null;
  prev_digest: string | null;
};
const CHECKPOINT_SQL =
  "SELECT c.seq::text, c.hash, c.key_id, c.signature, c.version, c.prev_seq::text, c.prev_digest FROM checkpoints c WHERE c.tenant_id = $1";

/** Chains longer than this are verified in parallel ranges over one consistent snapshot. */
const PARALLEL_FROM = 50_000;
// Read without server/env.ts: the offline verifier (npm run verify-export) loads this
// module on machines that have none of the app's variables.
const RANGES = Math.max(1, Number(runtimeSetting("VERIFY_PARALLELISM") ?? 2) || 1);

type TRangeResult = { verifier: ChainVerifier; startHash: string | null; fromSeq: bigint };

/** Verify one range, trusting its first entry's previous hash; the caller stitches ranges together. */
async function verifyRange(
  client: SqlClient,
  tenantId: string,
  range: { fromSeq: bigint; toSeq: bigint },
  checkpointHashes: Map<string, string>,
  isFirst: boolean,
): Promise<TRangeResult> {
  let verifier: ChainVerifier | null = isFirst ? new ChainVerifier() : null;
  let startHash: string | null = isFirst ? GENESIS_HASH : null;
  // The last checkpoint the chain agreed with: a rewrite that recomputed every later
  // hash is only visible at the next checkpoint, so the changed event lies between.
  let lastAgreed = range.fromSeq - 1n;
  for await (const entry of chainEntries(client, tenantId, range)) {
    if (!verifier) {
      startHash = entry.kind === "event" ? entry.prevHash : entry.firstPrevHash;
      verifier = new ChainVerifier({ afterSeq: (range.fromSeq - 1n).toString(), hash: startHash });
    }
    if (verifier.push(entry)) break;
    const at = verifier.head;
    const expected = checkpointHashes.get(at.seq);
    if (expected && expected !== at.hash) {
      const span = BigInt(at.seq) === lastAgreed + 1n ? `event ${at.seq}` : `an event in ${lastAgreed + 1n}–${at.seq}`;
      verifier.reject({
        seq: at.seq,
        reason: "checkpoint_mismatch",
        message: `the chain at event ${at.seq} differs from its signed checkpoint: ${span} was rewritten and the hashes after it recomputed`,
      });
      break;
    }
    if (expected) lastAgreed = BigInt(at.seq);
  }
  return {
    verifier: verifier ?? new ChainVerifier({ afterSeq: (range.fromSeq - 1n).toString(), hash: GENESIS_HASH }),
    startHash,
    fromSeq: range.fromSeq,
  };
}

/**
 * Verify the whole chain from genesis: every hash, every link, no gap, every
 * checkpoint's signature and hash, and that it ends at the recorded head (so a
 * deleted tail is caught too). Long chains are read as parallel ranges of one
 * snapshot; each range must start exactly where the previous one ended.
 */
export async function verifyChain(tenantId: string, options: { parallelFrom?: number; ranges?: number } = {}): Promise<TVerification> {
  const parallelFrom = options.parallelFrom ?? PARALLEL_FROM;
  const rangeCount = options.ranges ?? RANGES;
  return withTenant(
    tenantId,
    async (_db, { sql: client }) => {
      const headRow = (
        await client.query<{ last_seq: string; last_hash: string }>(
          "SELECT last_seq::text, last_hash FROM event_chains WHERE tenant_id = $1",
          [tenantId],
        )
      ).rows[0];
      const head = headRow ?? { last_seq: "0", last_hash: GENESIS_HASH };
      const headSeq = BigInt(head.last_seq);
      const keys = new Map((await publicKeys(client, tenantId)).map((key) => [key.keyId, key.publicKey]));
      const checkpoints = (await client.query<TCheckpointRow>(`${CHECKPOINT_SQL} ORDER BY c.seq`, [tenantId])).rows;
      // Signatures, and the chain of checkpoints (a removed or inserted one).
      const badCheckpoint = checkCheckpointChain(
        checkpoints.map((row) => ({
          tenantId,
          seq: row.seq,
          hash: row.hash,
          version: row.version === 1 ? (1 as const) : (2 as const),
          prevSeq: row.prev_seq,
          prevDigest: row.prev_digest,
          keyId: row.key_id,
          signature: row.signature,
        })),
        keys,
      );
      const checkpointHashes = new Map(checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint.hash]));

      // Range boundaries fall on existing events, never inside a retention summary.
      const bounds = [1n];
      if (headSeq >= BigInt(parallelFrom) && rangeCount > 1) {
        for (let part = 1; part < rangeCount; part += 1) {
          const target = (headSeq * BigInt(part)) / BigInt(rangeCount);
          const found = await client.query<{ seq: string }>(
            "SELECT e.seq::text FROM events e WHERE e.tenant_id = $1 AND e.seq >= $2 ORDER BY e.seq LIMIT 1",
            [tenantId, target.toString()],
          );
          const seq = found.rows[0]?.seq;
          if (seq && BigInt(seq) > (bounds[bounds.length - 1] ?? 1n)) bounds.push(BigInt(seq));
        }
      }
      const ranges = bounds.map((fromSeq, index) => ({ fromSeq, toSeq: (bounds[index + 1] ?? headSeq + 1n) - 1n }));
      const snapshot =
        ranges.length > 1 ? (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]?.id : undefined;
      const results = await Promise.all(
        ranges.map((range, index) =>
          index === 0
            ? verifyRange(client, tenantId, range, checkpointHashes, true)
            : withTenant(tenantId, (_db, { sql: other }) => verifyRange(other, tenantId, range, checkpointHashes, false), {
                readOnly: true,
                snapshot,
              }),
        ),
      );

      // Stitch: the first failure in chain order wins; each range must begin where the last ended.
      const first = results[0];
      if (!first) throw new Error("no range was verified");
      let checked = 0;
      let previous: ChainVerifier | null = null;
      let outcome: TVerifyResult | null = null;
      for (const [index, result] of results.entries()) {
        if (index > 0 && result.startHash === null) {
          outcome = {
            isValid: false,
            checked,
            failure: { seq: result.fromSeq.toString(), reason: "gap", message: `events from ${result.fromSeq} on are missing` },
          };
          break;
        }
        if (previous && result.startHash !== null) {
          const end = previous.head;
          if (end.hash !== result.startHash) {
            outcome = {
              isValid: false,
              checked,
              failure: {
                seq: result.fromSeq.toString(),
                reason: "broken_link",
                message: `event ${result.fromSeq} does not link to the event before it (previous hash differs)`,
              },
            };
            break;
          }
        }
        const own = result.verifier.result();
        checked += own.checked;
        if (!own.isValid) {
          outcome = { ...own, checked };
          break;
        }
        if (result.startHash !== null) previous = result.verifier;
      }
      const last = previous ?? first.verifier;
      if (!outcome) {
        const end = last.head;
        const beyond = checkpoints.find((checkpoint) => BigInt(checkpoint.seq) > BigInt(end.seq));
        if (badCheckpoint) {
          outcome = {
            isValid: false,
            checked,
            failure: { seq: badCheckpoint.seq, reason: "checkpoint_mismatch", message: badCheckpoint.message },
          };
        } else if (end.seq !== head.last_seq || end.hash !== head.last_hash || beyond) {
          outcome = {
            isValid: false,
            checked,
            failure: {
              seq: (BigInt(end.seq) + 1n).toString(),
              reason: "truncated",
              message: `the chain ends at ${end.seq} but its head or a signed checkpoint says ${beyond?.seq ?? head.last_seq}: events after ${end.seq} were removed`,
            },
          };
        } else {
          outcome = { isValid: true, checked, lastSeq: end.seq, lastHash: end.hash };
        }
      }
      return { ...outcome, headSeq: head.last_seq, checkpointsChecked: checkpoints.length };
    },
    { isolation: "repeatable read", readOnly: true },
  );
}

/**
 * Verify a range [fromSeq, toSeq]: every hash and link inside it, and its
 * checkpoints. It starts from the previous hash its first entry records, so it
 * proves the range is intact and consistent with its checkpoints; only a
 * verification from genesis (verifyChain) proves nothing before it changed.
 */
export async function verifyChainRange(
  tenantId: string,
  range: { fromSeq: bigint; toSeq: bigint },
): Promise<TVerifyResult & { startHash: string | null }> {
  return withTenant(
    tenantId,
    async (_db, { sql: client }) => {
      const checkpoints = (
        await client.query<TCheckpointRow>(`${CHECKPOINT_SQL} AND c.seq >= $2 AND c.seq <= $3`, [
          tenantId,
          range.fromSeq.toString(),
          range.toSeq.toString(),
        ])
      ).rows;
      const result = await verifyRange(
        client,
        tenantId,
        range,
        new Map(checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint.hash])),
        range.fromSeq === 1n,
      );
      return { ...result.verifier.result(), startHash: result.startHash };
    },
    { isolation: "repeatable read", readOnly: true },
  );
}
