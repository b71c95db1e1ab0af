// How an event is hashed. Everything that verifies a chain (the service, the
// export verifier, tests) goes through these functions.
//
//   hash = SHA-256( prev_hash_hex || RFC 8785 canonical JSON of the event )
//
// prev_hash is always 64 hex characters, so the concatenation is unambiguous.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

export const GENESIS_HASH = "0".repeat(64);

export const EVENT_CLASSES = ["policy_decision", "tool_call", "tool_result", "approval", "message", "admin", "run"] as const;
export type TEventClass = (typeof EVENT_CLASSES)[number];

/** The hashed fields of an event. `seq` is a decimal string: it is a bigint in the database. */
export type THashedEvent = {
  tenantId: string;
  seq: string;
  runId: string | null;
  type: string;
  eventClass: string;
  payload: unknown;
  createdAt: string;
};

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("value cannot be represented as canonical JSON");
  return text;
}

export function eventHash(prevHash: string, event: THashedEvent): string {
  return createHash("sha256")
    .update(prevHash)
    .update(
      canonicalJson({
        tenantId: event.tenantId,
        seq: event.seq,
        runId: event.runId,
        type: event.type,
        eventClass: event.eventClass,
        payload: event.payload,
        createdAt: event.createdAt,
      }),
    )
    .digest("hex");
}

/**
 * What is stored is what is hashed: JSON round-tripping drops undefined, turns
 * dates into strings and -0 into 0, exactly as the database will keep it.
 */
export function normalizePayload(payload: unknown): unknown {
  const text = JSON.stringify(payload ?? null);
  if (text.includes("\\u0000")) throw new Error("event payloads cannot contain NUL characters");
  return JSON.parse(text) as unknown;
}
