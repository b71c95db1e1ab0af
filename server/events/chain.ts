// Reading and verifying a tenant's chain from the database.
import { verify } from "@/server/crypto/signing";
import { withTenantSql, type SqlClient } from "@/server/db";
import { checkpointMessage } from "./checkpoints";
import { GENESIS_HASH } from "./hash";
import { publicKeys } from "./keys";
import { ChainVerifier, type TChainEntry, type TVerifyResult } from "./verify";

const PAGE = 20_000;

type TSummaryRow = { first_seq: string; last_seq: string; count: number; first_prev_hash: string; last_hash: string };
type TEventRow = {
  seq: string;
  run_id: string | null;
  type: string;
  event_class: string;
  payload: unknown;
  created_at: Date;
  prev_hash: string;
  hash: string;
};

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
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Events and retention summaries in sequence order, a page at a time. */
export async function* chainEntries(
  client: SqlClient,
  tenantId: string,
  range: { fromSeq: bigint; toSeq: bigint },
): AsyncGenerator<TChainEntry> {
  const pending = await summaries(client, tenantId, range);
  let cursor = range.fromSeq - 1n;
  for (;;) {
    const { rows } = await client.query<TEventRow>(
      // Order by the bigint column (e.seq), not the text alias.
      `SELECT e.seq::text, e.run_id, e.type, e.event_class, e.payload, e.created_at, e.prev_hash, e.hash FROM events e
        WHERE e.tenant_id = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY e.seq LIMIT ${PAGE}`,
      [tenantId, cursor.toString(), range.toSeq.toString()],
    );
    for (const row of rows) {
      while (pending[0] && pending[0].kind === "summary" && BigInt(pending[0].firstSeq) < BigInt(row.seq))
        yield pending.shift() as TChainEntry;
      yield toEntry(tenantId, row);
    }
    if (rows.length < PAGE) break;
    cursor = BigInt(rows[rows.length - 1]?.seq ?? cursor.toString());
  }
  yield* pending;
}

export type TVerification = TVerifyResult & { headSeq: string; checkpointsChecked: number };

/**
 * Verify the whole chain from genesis: every hash, every link, no gap, every
 * checkpoint's signature and hash, and that it ends at the recorded head (so a
 * deleted tail is caught too).
 */
export async function verifyChain(tenantId: string): Promise<TVerification> {
  return withTenantSql(
    tenantId,
    async (client) => {
      const headRow = (
        await client.query<{ last_seq: string; last_hash: string }>(
          "SELECT last_seq::text, last_hash FROM event_chains WHERE tenant_id = $1",
          [tenantId],
        )
      ).rows[0];
      const head = headRow ?? { last_seq: "0", last_hash: GENESIS_HASH };
      const keys = new Map((await publicKeys(client, tenantId)).map((key) => [key.keyId, key.publicKey]));
      const checkpoints = (
        await client.query<{ seq: string; hash: string; key_id: string; signature: string }>(
          "SELECT c.seq::text, c.hash, c.key_id, c.signature FROM checkpoints c WHERE c.tenant_id = $1 ORDER BY c.seq",
          [tenantId],
        )
      ).rows;
      const verifier = new ChainVerifier();
      for (const checkpoint of checkpoints) {
        const publicKey = keys.get(checkpoint.key_id);
        if (
          !publicKey ||
          !verify(publicKey, checkpointMessage({ tenantId, seq: checkpoint.seq, hash: checkpoint.hash }), checkpoint.signature)
        ) {
          verifier.reject({
            seq: checkpoint.seq,
            reason: "checkpoint_mismatch",
            message: `the checkpoint at ${checkpoint.seq} has no valid signature`,
          });
        }
      }
      const bySeq = new Map(checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint.hash]));
      for await (const entry of chainEntries(client, tenantId, { fromSeq: 1n, toSeq: BigInt(head.last_seq) })) {
        if (verifier.push(entry)) break;
        const at = verifier.head;
        const expected = bySeq.get(at.seq);
        if (expected && expected !== at.hash) {
          verifier.reject({
            seq: at.seq,
            reason: "checkpoint_mismatch",
            message: `the chain at ${at.seq} differs from its signed checkpoint`,
          });
          break;
        }
      }
      const end = verifier.head;
      const beyond = checkpoints.find((checkpoint) => BigInt(checkpoint.seq) > BigInt(end.seq));
      if (end.seq !== head.last_seq || end.hash !== head.last_hash || beyond) {
        verifier.reject({
          seq: (BigInt(end.seq) + 1n).toString(),
          reason: "truncated",
          message: `the chain ends at ${end.seq} but its head or a signed checkpoint says ${beyond?.seq ?? head.last_seq}: events after ${end.seq} were removed`,
        });
      }
      return { ...verifier.result(), headSeq: head.last_seq, checkpointsChecked: checkpoints.length };
    },
    { isolation: "repeatable read", readOnly: true },
  );
}
