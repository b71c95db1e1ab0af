// Bulk export of a tenant's events as NDJSON: a header (tenant, filters, public
// keys, how many events to expect), the events with their hashes, retention
// summaries, checkpoints, and a trailer that signs the SHA-256 of every line
// before it. `npm run verify-export -- FILE` checks a file offline.
import { createHash } from "node:crypto";
import { z } from "zod";
import { sign } from "@/server/crypto/signing";
import { withTenant } from "@/server/db";
import { AppError } from "@/server/errors";
import { CREATED_AT_ISO, summaries, toEntry, verifyChain } from "./chain";
import { checkpointDigest, listCheckpoints, type TCheckpoint } from "./checkpoints";
import { EVENT_CLASSES } from "./hash";
import { activeSigningKey, publicKeys, type TPublicKey } from "./keys";
import { logEvidence, type TLogEvidence } from "./transparency";
import type { TChainEntry } from "./verify";

export const EXPORT_FORMAT = "agent-fabric/export/v2";
const PAGE = 5_000;

export const ZExportFilters = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  runIds: z.array(z.uuid()).max(100).optional(),
  classes: z.array(z.enum(EVENT_CLASSES)).optional(),
});
export type TExportFilters = z.infer<typeof ZExportFilters>;

export function exportSignatureMessage(digest: string): string {
  return `${EXPORT_FORMAT}\n${digest}`;
}

/** An export without filters holds every event (or its retention summary) from genesis to the head. */
export function isUnfiltered(filters: { from?: unknown; to?: unknown; runIds?: unknown[]; classes?: unknown[] }): boolean {
  return !filters.from && !filters.to && !filters.runIds?.length && !filters.classes?.length;
}

function where(filters: TExportFilters, params: unknown[]): string {
  const clauses: string[] = [];
  if (filters.from) clauses.push(`e.created_at >= $${params.push(filters.from)}`);
  if (filters.to) clauses.push(`e.created_at < $${params.push(filters.to)}`);
  if (filters.runIds?.length) clauses.push(`e.run_id = ANY($${params.push(filters.runIds)}::uuid[])`);
  if (filters.classes?.length) clauses.push(`e.event_class = ANY($${params.push(filters.classes)}::text[])`);
  return clauses.map((clause) => ` AND ${clause}`).join("");
}

/** How many events an export with these filters will hold (for progress). */
export async function countExport(tenantId: string, filters: TExportFilters): Promise<number> {
  return withTenant(tenantId, async (_db, { sql: client }) => {
    const params: unknown[] = [tenantId];
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events e WHERE e.tenant_id = $1${where(filters, params)}`,
      params,
    );
    return rows[0]?.n ?? 0;
  });
}

export type TPreparedExport = {
  headSeq: bigint;
  headHash: string;
  keys: TPublicKey[];
  checkpoints: TCheckpoint[];
  summaries: TChainEntry[];
  log: TLogEvidence;
};

/**
 * Everything checked before a line is signed. The tenant's whole chain is verified up
 * to its head, every checkpoint against the event hash at its seq (a rewrite that
 * recomputed the hashes after it is internally consistent, but contradicts them), the
 * checkpoints' own chain, and the log's proofs. Anything wrong is a coded refusal
 * naming the first bad event or checkpoint: the server never signs a history that
 * does not verify. The export is bounded by the head verified here.
 */
export async function prepareExport(tenantId: string): Promise<TPreparedExport> {
  const verification = await verifyChain(tenantId);
  if (!verification.isValid) {
    const { seq, reason, message } = verification.failure;
    throw new AppError(
      "PRECONDITION_FAILED",
      `The event log does not verify, so the export was refused (nothing was signed): first bad event ${seq} (${reason}): ${message}.`,
    );
  }
  const headSeq = BigInt(verification.lastSeq);
  return withTenant(
    tenantId,
    async (_db, { sql: client }) => {
      // Make sure the key that will sign the trailer exists, so the header lists it.
      await activeSigningKey(client, tenantId);
      const checkpoints = (await listCheckpoints(client, tenantId)).filter((checkpoint) => BigInt(checkpoint.seq) <= headSeq).reverse();
      return {
        headSeq,
        headHash: verification.lastHash,
        keys: await publicKeys(client, tenantId),
        checkpoints,
        summaries: await summaries(client, tenantId, { fromSeq: 1n, toSeq: headSeq }),
        log: await logEvidence(client, checkpoints),
      };
    },
    // Read committed on purpose: checkpoints up to the verified head never change, and
    // the log's head must be read fresh once its lock is held (a repeatable-read
    // snapshot could miss a head another export just signed).
  );
}

/**
 * The export, line by line (see docs/events.md for the format). Pass what
 * prepareExport returned, so a refusal is answered before a response starts; without
 * it, the export is prepared here (and a refusal throws from the first next()).
 * Each page is read in a short transaction of its own (no connection is held while a
 * slow client reads); the export is bounded by the verified head, so later appends
 * are not half-included.
 */
export async function* exportLines(
  tenant: { id: string; slug: string },
  filters: TExportFilters,
  prepared?: TPreparedExport,
): AsyncGenerator<string> {
  const start = prepared ?? (await prepareExport(tenant.id));
  const digest = createHash("sha256");
  let lines = 0;
  const emit = (value: unknown): string => {
    const line = `${JSON.stringify(value)}\n`;
    digest.update(line);
    lines += 1;
    return line;
  };

  const total = await countExport(tenant.id, filters);
  const last = start.checkpoints[start.checkpoints.length - 1];
  yield emit({
    kind: "header",
    format: EXPORT_FORMAT,
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    exportedAt: new Date().toISOString(),
    // The head this export is bounded by, and the newest checkpoint at or before it:
    // a file cut short, or missing its latest checkpoint, contradicts its own header.
    headSeq: start.headSeq.toString(),
    headHash: start.headHash,
    checkpoints: { count: start.checkpoints.length, last: last ? { seq: last.seq, digest: checkpointDigest(last) } : null },
    filters,
    expectedEvents: total,
    publicKeys: start.keys,
    logPublicKeys: start.log.logKeys,
  });

  // Windows of PAGE sequence numbers: each page reads a bounded range whatever
  // the table statistics say, and no transaction stays open between pages.
  // Retention summaries are interleaved in sequence order, so an unfiltered
  // export reads as one chain from genesis.
  const pending = [...start.summaries];
  const summariesBefore = function* (seq: bigint) {
    while (pending[0]?.kind === "summary" && BigInt(pending[0].firstSeq) < seq) yield pending.shift() as TChainEntry;
  };
  let exported = 0;
  for (let from = 1n; from <= start.headSeq; from += BigInt(PAGE)) {
    const to = from + BigInt(PAGE) - 1n < start.headSeq ? from + BigInt(PAGE) - 1n : start.headSeq;
    const rows = await withTenant(tenant.id, async (_db, { sql: client }) => {
      const params: unknown[] = [tenant.id, from.toString(), to.toString()];
      const result = await client.query(
        `SELECT e.seq::text, e.run_id, e.type, e.event_class, e.payload, ${CREATED_AT_ISO}, e.prev_hash, e.hash FROM events e
          WHERE e.tenant_id = $1 AND e.seq >= $2 AND e.seq <= $3${where(filters, params)} ORDER BY e.seq`,
        params,
      );
      return result.rows;
    });
    for (const row of rows) {
      const { kind: _kind, payloadText, ...event } = toEntry(tenant.id, row) as Extract<ReturnType<typeof toEntry>, { kind: "event" }>;
      for (const summary of summariesBefore(BigInt(event.seq))) yield emit(summary);
      exported += 1;
      yield emit({ kind: "event", ...event, payload: JSON.parse(payloadText ?? "null") as unknown });
    }
  }
  for (const summary of pending) yield emit(summary);
  for (const checkpoint of start.checkpoints) yield emit({ kind: "checkpoint", ...checkpoint });
  yield emit({ kind: "treeHead", ...start.log.treeHead });
  for (const proof of start.log.proofs) yield emit(proof);

  const key = await withTenant(tenant.id, (_db, { sql: client }) => activeSigningKey(client, tenant.id));
  // A rotation during the export: the header would not list the trailer's key.
  if (!start.keys.some((listed) => listed.keyId === key.id)) {
    throw new AppError("CONFLICT", "The tenant's signing key was rotated during the export; export again.");
  }
  const hex = digest.digest("hex");
  yield `${JSON.stringify({
    kind: "trailer",
    lines,
    events: exported,
    digest: hex,
    keyId: key.id,
    signature: sign(key.privateKey, exportSignatureMessage(hex)),
  })}\n`;
}
