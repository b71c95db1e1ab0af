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
  /** The payload's canonical JSON, when already known (as stored): hashed as is. */
  payloadText?: string;
  createdAt: string;
};

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("value cannot be represented as canonical JSON");
  return text;
}

/**
 * RFC 8785 form of the event. The outer object has fixed keys, written here in
 * RFC 8785 order (UTF-16 code units: createdAt, eventClass, payload, runId,
 * seq, tenantId, type) with JSON.stringify for the strings, which is exactly
 * RFC 8785's string form; only the payload goes through the general
 * canonicalizer. hash.test.ts checks this equals canonicalize() of the whole.
 */
export function canonicalEvent(event: THashedEvent): string {
  const { prefix, suffix } = canonicalEventAroundSeq(event);
  // The quotes around the digits are JSON.stringify's here: a file's seq is anyone's text.
  return `${prefix.slice(0, -1)}${JSON.stringify(event.seq)}${suffix.slice(1)}`;
}

/**
 * canonicalEvent's text before and after the digits of its sequence number (a decimal
 * string, which JSON writes as is between quotes): what the append statement puts
 * together around the number only the database knows.
 */
export function canonicalEventAroundSeq(event: Omit<THashedEvent, "seq">): { prefix: string; suffix: string } {
  return {
    prefix:
      `{"createdAt":${JSON.stringify(event.createdAt)},"eventClass":${JSON.stringify(event.eventClass)},` +
      `"payload":${event.payloadText ?? canonicalJson(event.payload)},"runId":${JSON.stringify(event.runId)},"seq":"`,
    suffix: `","tenantId":${JSON.stringify(event.tenantId)},"type":${JSON.stringify(event.type)}}`,
  };
}

export function eventHash(prevHash: string, event: THashedEvent): string {
  return createHash("sha256").update(prevHash).update(canonicalEvent(event)).digest("hex");
}

/**
 * What is stored is what is hashed: JSON round-tripping drops undefined, turns
 * dates into strings and -0 into 0, exactly as the database will keep it.
 */
export function normalizePayload(payload: unknown): unknown {
  const value = JSON.parse(JSON.stringify(payload ?? null)) as unknown;
  if (hasNul(value)) throw new Error("event payloads cannot contain NUL characters");
  return value;
}

function hasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === "object") return Object.entries(value).some(([key, item]) => key.includes("\u0000") || hasNul(item));
  return false;
}
