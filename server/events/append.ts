// Appending to a tenant's chain. The chain head row (event_chains) is taken with
// one upsert whose row lock is held to commit: appends of one tenant are
// serialized, appends of different tenants never wait for each other.
import { withTenantSql, type SqlClient } from "@/server/db";
import { createCheckpoint, loadSettings } from "./checkpoints";
import { eventHash, GENESIS_HASH, normalizePayload, type TEventClass } from "./hash";

export type TNewEvent = {
  runId?: string | null;
  type: string;
  eventClass: TEventClass;
  payload: unknown;
  /** The event's time; defaults to now. Tests use it to make events old. */
  at?: Date;
};

export type TStoredEvent = {
  tenantId: string;
  seq: string;
  runId: string | null;
  type: string;
  eventClass: string;
  payload: unknown;
  createdAt: string;
  prevHash: string;
  hash: string;
};

/** Append events in one transaction the caller opened with withTenantSql. */
export async function appendEvents(client: SqlClient, tenantId: string, events: TNewEvent[]): Promise<TStoredEvent[]> {
  if (events.length === 0) return [];
  const count = events.length;
  const head = await client.query<{ last_seq: string; last_hash: string }>(
    `INSERT INTO event_chains (tenant_id, last_seq, last_hash) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_chains.last_seq + EXCLUDED.last_seq
     RETURNING last_seq::text, last_hash`,
    [tenantId, count, GENESIS_HASH],
  );
  const row = head.rows[0];
  if (!row) throw new Error("the chain head could not be taken");
  const lastSeq = BigInt(row.last_seq);
  let prevHash = row.last_hash;
  const stored: TStoredEvent[] = [];
  for (const [offset, event] of events.entries()) {
    const draft = {
      tenantId,
      seq: (lastSeq - BigInt(count) + 1n + BigInt(offset)).toString(),
      runId: event.runId ?? null,
      type: event.type,
      eventClass: event.eventClass,
      payload: normalizePayload(event.payload),
      createdAt: (event.at ?? new Date()).toISOString(),
    };
    const hash = eventHash(prevHash, draft);
    stored.push({ ...draft, prevHash, hash });
    prevHash = hash;
  }
  await client.query(
    `WITH inserted AS (
       INSERT INTO events (tenant_id, seq, run_id, type, event_class, payload, created_at, prev_hash, hash)
       SELECT $1::uuid, u.seq, u.run_id, u.type, u.event_class, u.payload::jsonb, u.created_at, u.prev_hash, u.hash
         FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[])
              AS u(seq, run_id, type, event_class, payload, created_at, prev_hash, hash)
     )
     UPDATE event_chains SET last_hash = $10, updated_at = now() WHERE tenant_id = $1`,
    [
      tenantId,
      stored.map((event) => event.seq),
      stored.map((event) => event.runId),
      stored.map((event) => event.type),
      stored.map((event) => event.eventClass),
      stored.map((event) => JSON.stringify(event.payload)),
      stored.map((event) => event.createdAt),
      stored.map((event) => event.prevHash),
      stored.map((event) => event.hash),
      prevHash,
    ],
  );
  await maybeCheckpoint(client, tenantId, lastSeq - BigInt(count), lastSeq, prevHash);
  return stored;
}

/** A checkpoint each time the chain crosses a multiple of the tenant's interval. */
async function maybeCheckpoint(client: SqlClient, tenantId: string, before: bigint, after: bigint, hash: string): Promise<void> {
  const settings = await loadSettings(client, tenantId);
  const every = BigInt(settings.checkpointEvery);
  if (after / every > before / every) await createCheckpoint(client, tenantId, { seq: after.toString(), hash }, settings);
}

/** Append in a transaction of its own. */
export async function recordEvents(tenantId: string, events: TNewEvent[]): Promise<TStoredEvent[]> {
  return withTenantSql(tenantId, (client) => appendEvents(client, tenantId, events));
}
