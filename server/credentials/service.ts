// Per-tenant credentials: write-only secrets, rotation, removal, and audited use.
// The API returns metadata and the last four characters, never a secret. Tools get
// the opened secret through openCredentialForCall, which records every use.
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/server/audit/service";
import { Prisma, type TenantDb, withTenant } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { checkUrl, SsrfError } from "@/server/net/ssrf";
import { PROVIDER_DEFINITIONS, type TCredentialProvider } from "./providers";
import type { TOpenCredential } from "./types";
import type { TCreateCredential, TRotateCredential } from "./schemas";
import { revealSecrets } from "./scope";
import { openTenantSecret, sealTenantSecret } from "./seal";
import { userPrincipal } from "@/server/principals";

const PURPOSE = "credential";

export type TCredentialView = {
  id: string;
  provider: TCredentialProvider;
  label: string;
  config: Record<string, string>;
  last4: string;
  version: number;
  createdBy: string;
  createdAt: Date;
  rotatedAt: Date | null;
  lastUsedAt: Date | null;
};

/** An opened credential, for a tool's outbound call only. Never log or return it. */
export type { TOpenCredential } from "./types";

type TRow = Awaited<ReturnType<TenantDb["credential"]["findFirstOrThrow"]>>;

function view(row: TRow): TCredentialView {
  return {
    id: row.id,
    provider: row.provider as TCredentialProvider,
    label: row.label,
    config: row.config as Record<string, string>,
    last4: row.last4,
    version: row.version,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    rotatedAt: row.rotatedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

/**
 * A URL field must pass the checks it will meet at use (scheme, no credentials, no
 * literal private or loopback address), so `javascript:` or `http://127.0.0.1` is
 * refused at save. The answer never repeats the value: some URLs are secrets.
 */
function checkFieldUrl(provider: string, label: string, value: string): void {
  try {
    checkUrl(value);
  } catch (error) {
    if (!(error instanceof SsrfError)) throw error;
    const reason = error.message.startsWith('"') ? "it is not a valid URL." : error.message;
    throw new AppError("BAD_REQUEST", `${label} for ${provider} cannot be used: ${reason}`);
  }
}

/** Split the submitted fields into secret and plain ones, checking them against the provider. */
export function splitFields(
  provider: TCredentialProvider,
  fields: Record<string, string>,
): { secrets: Record<string, string>; config: Record<string, string> } {
  const definition = PROVIDER_DEFINITIONS[provider];
  const known = new Set(definition.fields.map((field) => field.name));
  const unknown = Object.keys(fields).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new AppError("BAD_REQUEST", `${definition.label} has no field ${unknown.join(", ")}.`);
  const secrets: Record<string, string> = {};
  const config: Record<string, string> = {};
  for (const field of definition.fields) {
    const value = fields[field.name]?.trim() ?? "";
    if (!value) {
      if (field.isRequired) throw new AppError("BAD_REQUEST", `${field.label} is required for ${definition.label}.`);
      continue;
    }
    if (field.choices && !field.choices.includes(value))
      throw new AppError("BAD_REQUEST", `${field.label} must be one of ${field.choices.join(", ")}.`);
    if (field.isUrl) checkFieldUrl(definition.label, field.label, value);
    (field.isSecret ? secrets : config)[field.name] = value;
  }
  if (definition.needsOneSecret && Object.keys(secrets).length === 0) {
    const names = definition.fields.filter((field) => field.isSecret).map((field) => field.label);
    throw new AppError("BAD_REQUEST", `${definition.label} needs one of: ${names.join(", ")}.`);
  }
  return { secrets, config };
}

function last4Of(secrets: Record<string, string>): string {
  const first = Object.values(secrets)[0] ?? "";
  return first.slice(-4);
}

export async function listCredentials(db: TenantDb, tenantId: string): Promise<TCredentialView[]> {
  const rows = await db.credential.findMany({ where: { tenantId, deletedAt: null }, orderBy: [{ provider: "asc" }, { createdAt: "asc" }] });
  return rows.map(view);
}

export async function createCredential(tenantId: string, actorUserId: string, input: TCreateCredential): Promise<TCredentialView> {
  const { secrets, config } = splitFields(input.provider, input.fields);
  const id = randomUUID();
  const sealed = await sealTenantSecret(tenantId, JSON.stringify(secrets), { recordId: id, purpose: PURPOSE });
  return withTenant(tenantId, async (db) => {
    const clash = await db.credential.findFirst({ where: { tenantId, provider: input.provider, label: input.label, deletedAt: null } });
    if (clash)
      throw new AppError("CONFLICT", `There is already a ${PROVIDER_DEFINITIONS[input.provider].label} credential named "${input.label}".`);
    const row = await db.credential.create({
      data: {
        id,
        tenantId,
        provider: input.provider,
        label: input.label,
        config,
        sealed,
        last4: last4Of(secrets),
        createdBy: userPrincipal(actorUserId),
      },
    });
    await recordAudit(db, {
      tenantId,
      actorUserId,
      action: "credential.created",
      targetType: "credential",
      targetId: id,
      data: { provider: input.provider, label: input.label, fields: Object.keys(input.fields) },
    });
    return view(row);
  });
}

export async function rotateCredential(tenantId: string, actorUserId: string, input: TRotateCredential): Promise<TCredentialView> {
  const existing = await withTenant(tenantId, (db) =>
    db.credential.findFirst({ where: { id: input.credentialId, tenantId, deletedAt: null } }),
  );
  if (!existing) throw notFound("Credential");
  const { secrets, config } = splitFields(existing.provider as TCredentialProvider, input.fields);
  const sealed = await sealTenantSecret(tenantId, JSON.stringify(secrets), { recordId: existing.id, purpose: PURPOSE });
  return withTenant(tenantId, async (db) => {
    const row = await db.credential.update({
      where: { id: existing.id },
      data: { config, sealed, last4: last4Of(secrets), version: { increment: 1 }, rotatedAt: new Date() },
    });
    await recordAudit(db, {
      tenantId,
      actorUserId,
      action: "credential.rotated",
      targetType: "credential",
      targetId: row.id,
      data: { provider: row.provider, label: row.label, version: row.version },
    });
    return view(row);
  });
}

/** Removal destroys the sealed secret: a removed credential cannot be used or restored. */
export async function removeCredential(db: TenantDb, tenantId: string, actorUserId: string, credentialId: string): Promise<{ id: string }> {
  const existing = await db.credential.findFirst({ where: { id: credentialId, tenantId, deletedAt: null } });
  if (!existing) throw notFound("Credential");
  await db.credential.update({ where: { id: existing.id }, data: { deletedAt: new Date(), sealed: Prisma.DbNull } });
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "credential.removed",
    targetType: "credential",
    targetId: existing.id,
    data: { provider: existing.provider, label: existing.label },
  });
  return { id: existing.id };
}

/** A credential's secret fields, opened and registered with the call's secret scope (scrubbed from what it returns). */
async function openSecrets(tenantId: string, credentialId: string, sealed: unknown): Promise<Record<string, string>> {
  const secrets = JSON.parse(await openTenantSecret(tenantId, sealed, { recordId: credentialId, purpose: PURPOSE })) as Record<
    string,
    string
  >;
  revealSecrets(Object.values(secrets));
  return secrets;
}

/** Open one credential by id for an admin action (the connection check). */
export async function openCredential(tenantId: string, credentialId: string): Promise<TOpenCredential & { provider: TCredentialProvider }> {
  const row = await withTenant(tenantId, (db) => db.credential.findFirst({ where: { id: credentialId, tenantId, deletedAt: null } }));
  if (!row?.sealed) throw notFound("Credential");
  const secrets = await openSecrets(tenantId, row.id, row.sealed);
  return {
    id: row.id,
    label: row.label,
    provider: row.provider as TCredentialProvider,
    config: row.config as Record<string, string>,
    secrets,
  };
}

/**
 * One secret field of the tenant's newest credential for a provider, to check an
 * inbound request's signature or token before anything else happens: no audit row
 * and no "last used" (an anonymous caller can trigger this), the other fields are
 * dropped unread. Record the use with `recordCredentialUse` once the check passed.
 */
export async function openSecretForVerification(
  tenantId: string,
  provider: TCredentialProvider,
  field: string,
): Promise<{ credentialId: string; label: string; value: string } | null> {
  const row = await withTenant(tenantId, (db) =>
    db.credential.findFirst({ where: { tenantId, provider, deletedAt: null }, orderBy: { createdAt: "desc" } }),
  );
  if (!row?.sealed) return null;
  const opened = JSON.parse(await openTenantSecret(tenantId, row.sealed, { recordId: row.id, purpose: PURPOSE })) as Record<string, string>;
  const value = opened[field] ?? "";
  if (value) revealSecrets([value]);
  return { credentialId: row.id, label: row.label, value };
}

/** The audit row and "last used" of one credential use (openCredentialForCall writes them itself). */
export async function recordCredentialUse(
  tenantId: string,
  credential: { credentialId: string; label: string },
  provider: TCredentialProvider,
  use: Omit<TCredentialUse, "credentialId">,
): Promise<void> {
  await withTenant(tenantId, async (db) => {
    await db.credential.update({ where: { id: credential.credentialId }, data: { lastUsedAt: new Date() } });
    await recordAudit(db, {
      tenantId,
      actorUserId: null,
      action: "credential.used",
      targetType: "credential",
      targetId: credential.credentialId,
      data: { provider, label: credential.label, tool: use.tool, runId: use.runId, principal: use.principal },
    });
  });
}

export type TCredentialUse = { tool: string; runId: string | null; principal: string; credentialId?: string };

/**
 * The tenant's credential for a provider, opened for one call, or null when the
 * tenant has none (the connector then delivers to the sandbox outbox). With an id,
 * that credential of this tenant only. Every use is in the audit log.
 */
export async function openCredentialForCall(
  tenantId: string,
  provider: TCredentialProvider,
  use: TCredentialUse,
): Promise<TOpenCredential | null> {
  const row = await withTenant(tenantId, (db) =>
    db.credential.findFirst({
      where: { tenantId, provider, deletedAt: null, ...(use.credentialId ? { id: use.credentialId } : {}) },
      orderBy: { createdAt: "desc" },
    }),
  );
  if (!row?.sealed) {
    if (use.credentialId)
      throw new AppError("NOT_FOUND", `No ${PROVIDER_DEFINITIONS[provider].label} credential with that id in this tenant.`);
    return null;
  }
  const secrets = await openSecrets(tenantId, row.id, row.sealed);
  await recordCredentialUse(tenantId, { credentialId: row.id, label: row.label }, provider, use);
  return { id: row.id, label: row.label, config: row.config as Record<string, string>, secrets };
}
