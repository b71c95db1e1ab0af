// Who the sandbox runs as on the host. When the app runs as root, each tenant's
// sandbox runs as a host uid of its own (never 0): bwrap is started through
// setpriv with that uid, no supplementary groups, no capabilities (inheritable
// and bounding sets emptied) and no_new_privs. bwrap then maps the same uid
// into its user namespace, so /proc/self/uid_map inside shows the real outer uid
// and files the sandbox creates are owned by it on the host. When the app is not
// root, the sandbox runs as the app's own (unprivileged) uid.
import { createHash } from "node:crypto";
import { chown } from "node:fs/promises";
import { env } from "@/server/env";

export type TSandboxIdentity = { uid: number; gid: number };

// Tenant uids live in [base, base + 2^28): far above system and login users and
// subordinate-id ranges, below 2^31. The id is derived from the tenant id, so it
// is stable across processes and hosts without a table; two tenants sharing a uid
// (odds ~1 in 27,000 for 10,000 tenants) would still see only their own workspace
// and have their own cgroup, but would lose the per-uid defence in depth.
const UID_SPAN = 2 ** 28;

function uidBase(): number {
  const base = Number(env.SANDBOX_UID_BASE || 1_000_000_000);
  if (!Number.isInteger(base) || base < 65_536 || base + UID_SPAN > 2 ** 31)
    throw new Error("SANDBOX_UID_BASE must be an integer in [65536, 2^31 - 2^28]");
  return base;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The host uid/gid a tenant's sandbox (and its files) use; null when the app is not root (its own uid then). */
export function sandboxIdentity(tenantId: string): TSandboxIdentity | null {
  if (!isRoot()) return null;
  const id = uidBase() + (createHash("sha256").update(tenantId.toLowerCase()).digest().readUInt32BE(0) % UID_SPAN);
  return { uid: id, gid: id };
}

/** The prefix that runs a command as the tenant's identity, without any privilege. */
export function dropPrivilegesArgs(identity: TSandboxIdentity | null): string[] {
  if (!identity) return [];
  return [
    "setpriv",
    `--reuid=${identity.uid}`,
    `--regid=${identity.gid}`,
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--",
  ];
}

/** Files the app writes for a tenant belong to the tenant's sandbox user (mode is set by the writer). */
export async function ownForSandbox(tenantId: string, paths: string[]): Promise<void> {
  const identity = sandboxIdentity(tenantId);
  if (!identity) return;
  for (const target of paths) await chown(target, identity.uid, identity.gid);
}
