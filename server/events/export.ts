// Bulk export of a tenant's events as NDJSON: a header (tenant, filters, public
// keys, how many events to expect), the events with their hashes, retention
// summaries, checkpoints, and a trailer that signs the SHA-256 of every line
// before it. `npm run verify-export -- FILE` checks a file offline.
import { createHash } from "node:crypto";
import { z } from "zod";
import { sign } from "@/server/crypto/signing";
import { withTenantSql } from "@/server/db";
import { CREATED_AT_ISO, summaries, toEntry } from "./chain";
import { listCheckpoints } from "./checkpoints";
import { EVENT_CLASSES } from "./hash";
import { activeSigningKey, publicKeys } from "./keys";

export const EXPORT_FORMAT = "agent-fabric/export/v1";
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
  return withTenantSql(tenantId, async (client) => {
    const params: unknown[] = [tenantId];
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events e WHERE e.tenant_id = $1${where(filters, params)}`,
      params,
    );
    return rows[0]?.n ?? 0;
  });
}

/**
 * The export, line by line. Each page is read in a short transaction of its
 * own (no connection is held while a slow client reads); the export is bounded
 * by the chain head at its start, so later appends are not half-included.
 */
export async function* exportLines(tenant: { id: string; slug: string }, filters: TExportFilters): AsyncGenerator<string> {
  const digest = createHash("sha256");
  let lines = 0;
  const emit = (value: unknown): string => {
    const line = `${JSON.stringify(value)}\n`;
    digest.update(line);
    lines += 1;
    return line;
  };

  const start = await withTenantSql(tenant.id, async (client) => {
    const head = (await client.query<{ last_seq: string }>("SELECT last_seq::text FROM event_chains WHERE tenant_id = $1", [tenant.id]))
      .rows[0];
    // Make sure the key that will sign the trailer exists, so the header lists it.
    await activeSigningKey(client, tenant.id);
    return { headSeq: BigInt(head?.last_seq ?? "0"), keys: await publicKeys(client, tenant.id) };
  });
  const total = await countExport(tenant.id, filters);
  yield emit({
    kind: "header",
    format: EXPORT_FORMAT,
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    exportedAt: new Date().toISOString(),
    headSeq: start.headSeq.toString(),
    filters,
    expectedEvents: total,
    publicKeys: start.keys,
  });

  // Windows of PAGE sequence numbers: each page reads a bounded range whatever
  // the table statistics say, and no transaction stays open between pages.
  let exported = 0;
  for (let from = 1n; from <= start.headSeq; from += BigInt(PAGE)) {
    const to = from + BigInt(PAGE) - 1n < start.headSeq ? from + BigInt(PAGE) - 1n : start.headSeq;
    const rows = await withTenantSql(tenant.id, async (client) => {
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
      exported += 1;
      yield emit({ kind: "event", ...event, payload: JSON.parse(payloadText ?? "null") as unknown });
    }
  }

  const tail = await withTenantSql(tenant.id, async (client) => ({
    summaries: await summaries(client, tenant.id, { fromSeq: 1n, toSeq: start.headSeq }),
    checkpoints: (await listCheckpoints(client, tenant.id)).filter((checkpoint) => BigInt(checkpoint.seq) <= start.headSeq).reverse(),
    key: await activeSigningKey(client, tenant.id),
  }));
  for (const summary of tail.summaries) yield emit(summary);
  for (const checkpoint of tail.checkpoints) yield emit({ kind: "checkpoint", ...checkpoint });

  const hex = digest.digest("hex");
  yield `${JSON.stringify({
    kind: "trailer",
    lines,
    events: exported,
    digest: hex,
    keyId: tail.key.id,
    signature: sign(tail.key.privateKey, exportSignatureMessage(hex)),
  })}\n`;
}
