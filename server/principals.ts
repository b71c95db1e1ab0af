// Who acted, as stored in rows and events: "user:<id>", "agent:<id>", "pack:<name>@v<n>"…
// One type and one parser for every such string. Pure and free of server-only imports,
// so components use it too. The gate's policy principal (server/policy/evaluate.ts) is
// a different thing: the Cedar entity with its role, for one decision.

/** Channels whose inbound senders act as principals ("whatsapp:+15550100"). */
export const INBOUND_CHANNELS = ["whatsapp"] as const;
export type TInboundChannel = (typeof INBOUND_CHANNELS)[number];

export type TPrincipal =
  /** A member, by user id (or, in a few labels, by email). */
  | { kind: "user"; id: string }
  /** An agent; its id may contain colons ("agent:whatsapp:+1555…"). */
  | { kind: "agent"; id: string }
  /** Someone who wrote to a connector, before any agent answered for them. */
  | { kind: "inbound"; channel: TInboundChannel; sender: string }
  /** A policy pack deciding an approval step. */
  | { kind: "pack"; name: string; version: number }
  /** An approval step's deadline deciding by its timeout rule. */
  | { kind: "timeout" }
  /** Fleet API: a tenant API key, by key id. */
  | { kind: "apiKey"; id: string }
  /** Fleet API: an external agent runtime, by runtime id. */
  | { kind: "runtime"; id: string }
  /** Anything else ("seed", "job:retention", older rows): kept as it was written. */
  | { kind: "unknown"; raw: string };

const PREFIX = { user: "user:", agent: "agent:", apiKey: "api-key:", runtime: "runtime:", pack: "pack:" } as const;
const TIMEOUT = "timeout";
// Versions as packs number them: positive, no leading zero, at most nine digits.
const PACK = /^pack:(.+)@v([1-9][0-9]{0,8})$/s;

/** The stored string form. */
export function principalId(principal: TPrincipal): string {
  switch (principal.kind) {
    case "user":
    case "agent":
    case "apiKey":
    case "runtime":
      return `${PREFIX[principal.kind]}${principal.id}`;
    case "inbound":
      return `${principal.channel}:${principal.sender}`;
    case "pack":
      return `${PREFIX.pack}${principal.name}@v${principal.version}`;
    case "timeout":
      return TIMEOUT;
    case "unknown":
      return principal.raw;
  }
}

/**
 * Total: a string that is no known principal comes back as { kind: "unknown" }, never an
 * error, and principalId(parsePrincipal(s)) === s for every s. Empty ids are unknown.
 */
export function parsePrincipal(value: string): TPrincipal {
  if (value === TIMEOUT) return { kind: "timeout" };
  for (const kind of ["user", "agent", "apiKey", "runtime"] as const) {
    const prefix = PREFIX[kind];
    if (value.startsWith(prefix) && value.length > prefix.length) return { kind, id: value.slice(prefix.length) };
  }
  const pack = PACK.exec(value);
  if (pack?.[1] && pack[2]) return { kind: "pack", name: pack[1], version: Number(pack[2]) };
  for (const channel of INBOUND_CHANNELS) {
    const prefix = `${channel}:`;
    if (value.startsWith(prefix) && value.length > prefix.length) return { kind: "inbound", channel, sender: value.slice(prefix.length) };
  }
  return { kind: "unknown", raw: value };
}

/** "user:<id>": a member acting (an id, or an email where a label is wanted). */
export function userPrincipal(id: string): string {
  return principalId({ kind: "user", id });
}

/** "agent:<id>". */
export function agentPrincipal(id: string): string {
  return principalId({ kind: "agent", id });
}

/** The user id of a "user:<id>" principal, or null for any other. */
export function userIdOf(value: string): string | null {
  const principal = parsePrincipal(value);
  return principal.kind === "user" ? principal.id : null;
}
