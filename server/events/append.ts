// Appending to a tenant's chain. The chain head row (event_chains) is taken with
// one upsert whose row lock is held to commit: appends of one tenant are
// serialized, appends of different tenants never wait for each other.
import { withTenant, withTenantOneTrip, type SqlClient, type TSql } from "@/server/db";
import { logger } from "@/server/logger";
import { isUuid } from "@/server/validation";
import { createCheckpoint } from "./checkpoints";
import { canonicalEventAroundSeq, canonicalJson, normalizePayload, type TEventClass } from "./hash";

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

/** A row of append_chained_events (the migration 20261207120000): one stored event. */
export type TChainedRow = { seq: string; prev_hash: string; hash: string; checkpoint_due: boolean };

type TDraft = {
  runId: string | null;
  type: string;
  eventClass: string;
  payload: unknown;
  payloadText: string;
  createdAt: string;
  prefix: string;
  suffix: string;
};

function draftOf(tenantId: string, event: TNewEvent): TDraft {
  const runId = event.runId ?? null;
  if (runId !== null && !isUuid(runId)) throw new Error("an event's runId must be a UUID");
  const payload = normalizePayload(event.payload);
  const payloadText = canonicalJson(payload);
  const fields = {
    runId,
    type: event.type,
    eventClass: event.eventClass,
    payload,
    payloadText,
    createdAt: (event.at ?? new Date()).toISOString(),
  };
  return { ...fields, ...canonicalEventAroundSeq({ ...fields, tenantId }) };
}

/**
 * The statement that appends events in one go: the SQL function takes the chain head
 * (its lock held to COMMIT), chains each hash exactly as hash.ts does, inserts, and
 * moves the head. Each event's RFC 8785 text is built here around its sequence number,
 * which only the database knows: text = prefix || seq || suffix. A prepared statement
 * with its values as parameters, so it can travel with BEGIN or COMMIT in one round trip.
 */
export function appendSql(tenantId: string, events: TNewEvent[]): { statement: TSql; drafts: TDraft[] } {
  if (!isUuid(tenantId)) throw new Error("tenantId must be a UUID");
  if (events.length === 0) throw new Error("no events to append");
  const drafts = events.map((event) => draftOf(tenantId, event));
  return {
    statement: {
      name: "fabric_append_chained_events",
      text:
        "SELECT seq::text AS seq, prev_hash, hash, checkpoint_due " +
        "FROM append_chained_events($1::uuid, $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])",
      values: [
        tenantId,
        drafts.map((draft) => draft.runId),
        drafts.map((draft) => draft.type),
        drafts.map((draft) => draft.eventClass),
        drafts.map((draft) => draft.payloadText),
        drafts.map((draft) => draft.createdAt),
        drafts.map((draft) => draft.prefix),
        drafts.map((draft) => draft.suffix),
      ],
    },
    drafts,
  };
}

/** Where two texts that differ in one character ("0" in the first, "1" in the second) differ; -1 when identical. */
function holeIn(zero: string, one: string): number {
  if (zero === one) return -1;
  let at = 0;
  while (at < zero.length && zero[at] === one[at]) at += 1;
  const isOneDigit = zero.length === one.length && zero[at] === "0" && one[at] === "1" && zero.slice(at + 1) === one.slice(at + 1);
  if (!isOneDigit) throw new Error("an effect's value must appear once in its event, as an integer");
  return at;
}

/**
 * The statement that appends `events` and, last, an event that carries an integer only
 * the database knows yet: the value an effect statement sent just before left in
 * `fabric.effect_value` (append_events_after_effect, the migration 20261207140000).
 * `carrierFor(value)` builds that event for a value; built for 0 and for 1, the one
 * character where the two differ is where the value goes, in its payload and in its
 * hashed text. The carrier must have its `at`, so both builds are the same but for the value.
 */
export function appendAfterEffectSql(
  tenantId: string,
  events: TNewEvent[],
  carrierFor: (value: number) => TNewEvent,
): { statement: TSql; drafts: TDraft[] } {
  const { statement, drafts } = appendSql(tenantId, [...events, carrierFor(0)]);
  const zero = drafts[drafts.length - 1] as TDraft;
  const one = draftOf(tenantId, carrierFor(1));
  if (zero.suffix !== one.suffix || zero.createdAt !== one.createdAt) throw new Error("an effect's event must be built at one time");
  const payload = holeIn(zero.payloadText, one.payloadText);
  const prefix = holeIn(zero.prefix, one.prefix);
  if (payload < 0 || prefix < 0) throw new Error("an effect's value must appear in its event's payload");
  const values = [...(statement.values ?? [])];
  const last = drafts.length - 1;
  const cut = (texts: string[], at: number) => texts.map((text, index) => (index === last ? text.slice(0, at) : text));
  return {
    statement: {
      name: "fabric_append_events_after_effect",
      text:
        "SELECT seq::text AS seq, prev_hash, hash, checkpoint_due " +
        "FROM append_events_after_effect($1::uuid, $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int, $10, $11)",
      values: [
        ...values.slice(0, 4),
        cut(values[4] as string[], payload),
        values[5] ?? null,
        cut(values[6] as string[], prefix),
        values[7] ?? null,
        drafts.length,
        zero.payloadText.slice(payload + 1),
        zero.prefix.slice(prefix + 1),
      ],
    },
    // The carrier's payload has 0 for the value: for storedFrom's count and checkpoint only.
    drafts,
  };
}

/** The stored events, from the function's rows; and the head to checkpoint, if a boundary was crossed. */
export function storedFrom(
  tenantId: string,
  drafts: TDraft[],
  rows: TChainedRow[],
): { stored: TStoredEvent[]; checkpoint: { seq: string; hash: string } | null } {
  if (rows.length !== drafts.length) throw new Error("the events were not all appended");
  const stored = drafts.map((draft, index) => {
    const row = rows[index] as TChainedRow;
    const { runId, type, eventClass, payload, createdAt } = draft;
    return { tenantId, seq: row.seq, runId, type, eventClass, payload, createdAt, prevHash: row.prev_hash, hash: row.hash };
  });
  const last = rows[rows.length - 1];
  return { stored, checkpoint: last?.checkpoint_due ? { seq: last.seq, hash: last.hash } : null };
}

/** Append events in a tenant transaction the caller opened (withTenant's `tx.sql`); a due checkpoint is made in it. */
export async function appendEvents(client: SqlClient, tenantId: string, events: TNewEvent[]): Promise<TStoredEvent[]> {
  if (events.length === 0) return [];
  const { statement, drafts } = appendSql(tenantId, events);
  const { rows } = await client.query<TChainedRow>({ ...statement, values: [...(statement.values ?? [])] });
  const { stored, checkpoint } = storedFrom(tenantId, drafts, rows);
  if (checkpoint) await createCheckpoint(client, tenantId, checkpoint);
  return stored;
}

/**
 * The checkpoint of an append that committed: made in a transaction of its own, one at a
 * time per tenant (createCheckpoint's lock, not the chain head's: the tenant's appends
 * go on meanwhile), linked to the one before. Skipped when a later checkpoint exists.
 */
export async function checkpointAfterCommit(tenantId: string, head: { seq: string; hash: string }): Promise<void> {
  await withTenant(tenantId, async (_db, { sql }) => {
    await createCheckpoint(sql, tenantId, head);
  });
}

type THead = { seq: string; hash: string };
type TDue = { tenantId: string; head: THead };
const globalForCheckpoints = globalThis as unknown as { agentFabricCheckpoints?: { due: TDue[]; running: Promise<void> | null } };
const checkpoints = (globalForCheckpoints.agentFabricCheckpoints ??= { due: [], running: null });

/** How many checkpoints may wait before a tenant's newest due replaces its last waiting one. */
export const CHECKPOINTS_WAITING_MAX = 64;

/**
 * A checkpoint due after an append committed, made in the background: the call that
 * crossed the boundary does not wait for it (a dozen statements and the transparency
 * log's lock), and it never fails a call whose events are already committed. Made one
 * at a time per process, in the order they fell due, so every boundary gets its own.
 * When more than CHECKPOINTS_WAITING_MAX wait (the log cannot keep up), a tenant's newer
 * head replaces its last waiting one, which it covers: memory stays bounded and the
 * newest head is always checkpointed. One lost to a crash or a failure (logged) is made
 * by the checkpoint sweep (server/jobs).
 */
export function checkpointSoon(tenantId: string, head: THead): void {
  const { due } = checkpoints;
  const last = due.length >= CHECKPOINTS_WAITING_MAX ? due.findLast((waiting) => waiting.tenantId === tenantId) : undefined;
  if (!last) due.push({ tenantId, head });
  else if (BigInt(head.seq) > BigInt(last.head.seq)) last.head = head;
  checkpoints.running ??= makeDueCheckpoints();
}

async function makeDueCheckpoints(): Promise<void> {
  try {
    for (let next = checkpoints.due.shift(); next; next = checkpoints.due.shift()) {
      const { tenantId, head } = next;
      await checkpointAfterCommit(tenantId, head).catch((error: unknown) =>
        logger.error({ err: error, tenantId, seq: head.seq }, "a checkpoint could not be made; the checkpoint sweep will make one"),
      );
    }
  } finally {
    checkpoints.running = null;
  }
}

/** Resolves once every checkpoint due so far is made (tests, and before a process stops). */
export async function checkpointsSettled(): Promise<void> {
  while (checkpoints.running) await checkpoints.running;
}

/** The append as one statement with BEGIN and COMMIT (one round trip); its checkpoint, if due, follows in the background. */
async function appendCommitted(tenantId: string, events: TNewEvent[]): Promise<TStoredEvent[]> {
  const { statement, drafts } = appendSql(tenantId, events);
  const { stored, checkpoint } = storedFrom(tenantId, drafts, (await withTenantOneTrip<TChainedRow>(tenantId, statement)).rows);
  if (checkpoint) checkpointSoon(tenantId, checkpoint);
  return stored;
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
      // One round trip: BEGIN, the append and COMMIT in one message.
      const stored = await appendCommitted(
        tenantId,
        batch.flatMap((pending) => pending.events),
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
