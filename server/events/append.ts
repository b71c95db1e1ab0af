// Appending to a tenant's chain. The chain head row (event_chains) is taken with
// one upsert whose row lock is held to commit: appends of one tenant are
// serialized, appends of different tenants never wait for each other.
import { sqlLiteral, withTenant, type SqlClient } from "@/server/db";
import { isUuid } from "@/server/validation";
import { createCheckpoint, DEFAULT_SETTINGS, loadSettings } from "./checkpoints";
import { canonicalJson, eventHash, GENESIS_HASH, normalizePayload, type TEventClass } from "./hash";

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

export type THeadRow = { last_seq: string; last_hash: string; checkpoint_every: number | null };

/**
 * The statement that takes the tenant's chain head for `count` events and holds its
 * lock to commit: send it as withTenant's `lead`, then writeOnHead with its row.
 */
export function takeHeadSql(tenantId: string, count: number): string {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error("count must be a positive integer");
  // Inlined values: a UUID checked by the caller's runner, an integer, a constant.
  return `INSERT INTO event_chains (tenant_id, last_seq, last_hash) VALUES ('${tenantId}', ${count}, '${GENESIS_HASH}')
     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_chains.last_seq + EXCLUDED.last_seq
     RETURNING last_seq::text, last_hash, (SELECT s.checkpoint_every FROM event_log_settings s WHERE s.tenant_id = '${tenantId}') AS checkpoint_every`;
}

/** Append events in a tenant transaction the caller opened (withTenant's `tx.sql`). */
export async function appendEvents(client: SqlClient, tenantId: string, events: TNewEvent[]): Promise<TStoredEvent[]> {
  if (events.length === 0) return [];
  if (!isUuid(tenantId)) throw new Error("tenantId must be a UUID");
  // One round trip takes the head (and its lock) and reads the checkpoint interval.
  const head = await client.query<THeadRow>(takeHeadSql(tenantId, events.length));
  const written = await writeOnHead(client, tenantId, events, head.rows[0]);
  if (written.closingSql) await client.query(written.closingSql);
  return written.stored;
}

/**
 * Hash the events onto the chain and build the statement that stores them (and
 * moves the head's hash). When no checkpoint is due, the statement is handed back
 * unsent (closingSql), so the caller sends it with COMMIT in one round trip; else it
 * is sent here with the checkpoint, and closingSql is empty. `row` is the result of
 * takeHeadSql for exactly these events.
 */
export async function writeOnHead(
  client: SqlClient,
  tenantId: string,
  events: TNewEvent[],
  row: THeadRow | undefined,
): Promise<{ stored: TStoredEvent[]; closingSql: string }> {
  if (!row) throw new Error("the chain head could not be taken");
  const count = events.length;
  const lastSeq = BigInt(row.last_seq);
  let prevHash = row.last_hash;
  const stored: TStoredEvent[] = [];
  const rows: string[] = [];
  for (const [offset, event] of events.entries()) {
    const draft = {
      tenantId,
      seq: (lastSeq - BigInt(count) + 1n + BigInt(offset)).toString(),
      runId: event.runId ?? null,
      type: event.type,
      eventClass: event.eventClass,
      payload: normalizePayload(event.payload),
      payloadText: "",
      createdAt: (event.at ?? new Date()).toISOString(),
    };
    draft.payloadText = canonicalJson(draft.payload);
    const hash = eventHash(prevHash, draft);
    const { payloadText, ...visible } = draft;
    stored.push({ ...visible, prevHash, hash });
    // Literals only (sqlLiteral): the statement may travel with COMMIT in one simple-protocol message.
    if (draft.runId !== null && !isUuid(draft.runId)) throw new Error("an event's runId must be a UUID");
    rows.push(
      `(${[tenantId, draft.seq, draft.runId, draft.type, draft.eventClass, payloadText, draft.createdAt, prevHash, hash].map(sqlLiteral).join(", ")})`,
    );
    prevHash = hash;
  }
  const insertSql = `WITH inserted AS (
       INSERT INTO events (tenant_id, seq, run_id, type, event_class, payload, created_at, prev_hash, hash) VALUES ${rows.join(", ")}
     )
     UPDATE event_chains SET last_hash = ${sqlLiteral(prevHash)}, updated_at = now() WHERE tenant_id = ${sqlLiteral(tenantId)}`;
  // A checkpoint each time the chain crosses a multiple of the tenant's interval.
  const every = BigInt(row.checkpoint_every ?? DEFAULT_SETTINGS.checkpointEvery);
  if (lastSeq / every > (lastSeq - BigInt(count)) / every) {
    await client.query(insertSql);
    await createCheckpoint(client, tenantId, { seq: lastSeq.toString(), hash: prevHash }, await loadSettings(client, tenantId));
    return { stored, closingSql: "" };
  }
  return { stored, closingSql: insertSql };
}

type TPending = { events: TNewEvent[]; resolve: (stored: TStoredEvent[]) => void; reject: (error: unknown) => void };
const globalForQueues = globalThis as unknown as { agentFabricAppendQueues?: Map<string, TPending[]> };
const queues = (globalForQueues.agentFabricAppendQueues ??= new Map());
const MAX_BATCH = 500;

/**
 * Append in a transaction of its own. Appends of one tenant are serialized by
 * the chain lock anyway, so callers that arrive while one is in flight are
 * committed together in the next transaction (group commit): same chain, same
 * durability, far fewer transactions under load. Each caller gets its own events
 * back once they are committed, or the error if that transaction failed.
 */
export function recordEvents(tenantId: string, events: TNewEvent[]): Promise<TStoredEvent[]> {
  return new Promise((resolve, reject) => {
    const queue = queues.get(tenantId);
    if (queue) {
      queue.push({ events, resolve, reject });
      return;
    }
    queues.set(tenantId, [{ events, resolve, reject }]);
    void drain(tenantId);
  });
}

async function drain(tenantId: string): Promise<void> {
  for (;;) {
    const queue = queues.get(tenantId) ?? [];
    if (queue.length === 0) {
      queues.delete(tenantId);
      return;
    }
    const batch: TPending[] = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + (queue[0]?.events.length ?? 0) <= MAX_BATCH)) {
      const next = queue.shift() as TPending;
      batch.push(next);
      size += next.events.length;
    }
    try {
      const events = batch.flatMap((pending) => pending.events);
      // Two round trips: the head travels with BEGIN, the insert with COMMIT.
      const stored = await withTenant(
        tenantId,
        async (_db, tx) => {
          const written = await writeOnHead(tx.sql, tenantId, events, tx.lead?.rows[0] as THeadRow | undefined);
          if (written.closingSql) tx.commitWith(written.closingSql);
          return written.stored;
        },
        { lead: takeHeadSql(tenantId, events.length) },
      );
      let offset = 0;
      for (const pending of batch) {
        pending.resolve(stored.slice(offset, offset + pending.events.length));
        offset += pending.events.length;
      }
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
