// API keys of agent approvers. An agent named in an approval tier
// (approvers.agents) decides held calls through the REST API with one of these.
//
// A key is `afk_` + 32 random bytes (base64url). Only its SHA-256 is stored, so
// a database dump lets nobody decide anything; the key is shown once, when it is
// created. A key belongs to one tenant and is looked up within that tenant only
// (RLS and an explicit tenant filter), so a key of tenant B presented at tenant
// A's endpoint finds nothing. Revoked keys are kept (never deleted) so every vote
// stays attributable to the key that cast it.
import { createHash, randomBytes } from "node:crypto";
import { recordAudit } from "@/server/audit/service";
import { withTenant, type TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import type { TAgentKeyView, TCreateAgentKey } from "./schemas";
import { userPrincipal } from "@/server/principals";

const KEY_PREFIX = "afk_";
const KEY_SHAPE = /^afk_[A-Za-z0-9_-]{43}$/;
/** Enough for any real fleet of approver agents; a bound on what one admin can mint. */
export const MAX_ACTIVE_KEYS = 100;

type TRow = Awaited<ReturnType<TenantDb["agentApiKey"]["findFirstOrThrow"]>>;

function view(row: TRow): TAgentKeyView {
  return {
    id: row.id,
    agentId: row.agentId,
    label: row.label,
    keyPrefix: row.keyPrefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** SHA-256 (hex) of a presented key. A lookup by hash needs no constant-time compare. Pure. */
export function hashAgentKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A fresh key. It names no tenant: the URL does. Pure apart from the randomness. */
export function generateAgentKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function isAgentKeyShape(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/** Keys of the tenant, newest first, revoked ones included: metadata only. */
export async function listAgentKeys(db: TenantDb, tenantId: string): Promise<TAgentKeyView[]> {
  const rows = await db.agentApiKey.findMany({ where: { tenantId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: 500 });
  return rows.map(view);
}

/** A new key for an agent. The answer is the only place the key ever appears. */
export async function createAgentKey(
  db: TenantDb,
  tenantId: string,
  actorUserId: string,
  input: TCreateAgentKey,
): Promise<TAgentKeyView & { apiKey: string }> {
  const active = await db.agentApiKey.count({ where: { tenantId, revokedAt: null } });
  if (active >= MAX_ACTIVE_KEYS)
    throw new AppError("CONFLICT", `This tenant already has ${MAX_ACTIVE_KEYS} active agent keys; revoke one it no longer uses first.`);
  const apiKey = generateAgentKey();
  const row = await db.agentApiKey.create({
    data: {
      tenantId,
      agentId: input.agentId,
      label: input.label,
      keyPrefix: apiKey.slice(0, 8),
      keyHash: hashAgentKey(apiKey),
      createdBy: userPrincipal(actorUserId),
    },
  });
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "agent_key.created",
    targetType: "agent_api_key",
    targetId: row.id,
    data: { agentId: row.agentId, label: row.label, keyPrefix: row.keyPrefix },
  });
  return { ...view(row), apiKey };
}

export async function revokeAgentKey(db: TenantDb, tenantId: string, actorUserId: string, keyId: string): Promise<TAgentKeyView> {
  const existing = await db.agentApiKey.findFirst({ where: { id: keyId, tenantId } });
  if (!existing) throw notFound("Agent key");
  if (existing.revokedAt) throw new AppError("CONFLICT", `The key ${existing.keyPrefix}… of ${existing.agentId} is already revoked.`);
  const row = await db.agentApiKey.update({ where: { id: existing.id }, data: { revokedAt: new Date() } });
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "agent_key.revoked",
    targetType: "agent_api_key",
    targetId: row.id,
    data: { agentId: row.agentId, label: row.label, keyPrefix: row.keyPrefix },
  });
  return view(row);
}

export type TAgentIdentity = { agentId: string; keyId: string; keyPrefix: string };

/**
 * The agent a presented key belongs to in this tenant, or null (unknown, malformed,
 * another tenant's, or revoked). A revoked key's use is audited: it once was valid,
 * so someone still holds it. Unknown keys are not audited: anyone on the internet
 * could fill the audit log with them.
 */
export async function authenticateAgentKey(tenantId: string, presentedKey: string): Promise<TAgentIdentity | null> {
  if (!isAgentKeyShape(presentedKey)) return null;
  const keyHash = hashAgentKey(presentedKey);
  return withTenant(tenantId, async (db) => {
    const row = await db.agentApiKey.findFirst({ where: { tenantId, keyHash } });
    if (!row) return null;
    // Conditional on not revoked: a revocation that commits first wins, even mid-request.
    const { count } = row.revokedAt
      ? { count: 0 }
      : await db.agentApiKey.updateMany({ where: { id: row.id, tenantId, revokedAt: null }, data: { lastUsedAt: new Date() } });
    if (count === 0) {
      await recordAudit(db, {
        tenantId,
        actorUserId: null,
        action: "agent_key.refused",
        targetType: "agent_api_key",
        targetId: row.id,
        data: { agentId: row.agentId, keyPrefix: row.keyPrefix, reason: "the key is revoked" },
      });
      return null;
    }
    return { agentId: row.agentId, keyId: row.id, keyPrefix: row.keyPrefix };
  });
}
