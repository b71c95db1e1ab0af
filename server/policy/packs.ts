// Policy packs of a tenant: its own packs beside the catalog ones. A pack is a
// name and a list of immutable versions (Cedar text); a change is a new version.
// Every version is checked before it is stored: it must parse, its annotations must
// be valid, and Cedar's validator must accept it against the tools of this
// deployment, so a bad pack never reaches a composition. Deleting a pack is soft
// (the Trash brings it back) and refused while the tenant's composition uses it.
// Packs are a versioned kind (server/recovery/versioned.ts): every change, delete and
// restore is a line of history; compositions pin the lines that are not deletions.
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { versionedKind } from "@/server/recovery/versioned";
import { CATALOG_PACKS, catalogPack } from "./catalog";
import { compileComposition, PolicyCompileError, validateComposition, type TPackSource } from "./evaluate";
import { packToolNames } from "./tool-names";

export type TPackSummary = {
  name: string;
  description: string;
  source: "catalog" | "tenant";
  id: string | null;
  versions: number[];
  latest: number;
};

const CATALOG_NAMES = new Set(CATALOG_PACKS.map((pack) => pack.name));

/** Problems with a pack's text, as Cedar and our annotation rules state them; empty when it is fine. */
export async function packProblems(name: string, text: string): Promise<string[]> {
  const composition = { packs: [{ name, version: 1, text }] };
  try {
    compileComposition(composition);
  } catch (error) {
    if (error instanceof PolicyCompileError) return error.issues;
    throw error;
  }
  return validateComposition(composition, await packToolNames());
}

async function checkedText(name: string, text: string): Promise<string> {
  if (!text.trim()) throw new AppError("BAD_REQUEST", "A pack needs at least one policy.");
  const problems = await packProblems(name, text);
  if (problems.length > 0) throw new AppError("BAD_REQUEST", `The pack is not valid: ${problems.slice(0, 5).join("; ")}`);
  return text;
}

async function assertNameFree(db: TenantDb, tenantId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await db.policyPack.findFirst({
    where: { tenantId, name, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (clash) throw new AppError("CONFLICT", `This tenant already has a pack named "${name}"; rename or delete that one first.`);
}

/**
 * A tenant's packs as a versioned, recoverable kind: the Trash brings a deleted pack
 * back under its name (if no live pack took it), the history any earlier text (checked
 * again against today's tools) as a new version. An older version may permit more than
 * the current one: only admins bring one back.
 */
export const policyPackKind = versionedKind<{ text: string }>({
  kind: "policy_pack",
  label: "Policy pack",
  restoreRole: "admin",
  tables: {
    entity: "policy_packs",
    versions: "policy_pack_versions",
    parent: "pack_id",
    content: { text: { column: "text" } },
    title: "name",
    hasDeletedBy: true,
  },
  check: async (db, tenantId, row, content) => {
    await assertNameFree(db, tenantId, row.title, row.id);
    return { text: content.text === row.content.text ? content.text : await checkedText(row.title, content.text) };
  },
});

export async function listPacks(db: TenantDb, tenantId: string): Promise<TPackSummary[]> {
  const catalog = new Map<string, TPackSummary>();
  for (const pack of CATALOG_PACKS) {
    const known = catalog.get(pack.name);
    if (known) {
      known.versions.push(pack.version);
      known.latest = Math.max(known.latest, pack.version);
    } else
      catalog.set(pack.name, {
        name: pack.name,
        description: pack.description,
        source: "catalog",
        id: null,
        versions: [pack.version],
        latest: pack.version,
      });
  }
  const own = await db.policyPack.findMany({ where: { tenantId, deletedAt: null }, orderBy: { name: "asc" } });
  const versions = await db.policyPackVersion.findMany({
    where: { tenantId, packId: { in: own.map((pack) => pack.id) }, isDeleted: false },
    select: { packId: true, version: true },
    orderBy: { version: "asc" },
  });
  return [
    ...catalog.values(),
    ...own.map((pack) => {
      const numbers = versions.filter((version) => version.packId === pack.id).map((version) => version.version);
      return {
        name: pack.name,
        description: pack.description,
        source: "tenant" as const,
        id: pack.id,
        versions: numbers,
        latest: Math.max(0, ...numbers),
      };
    }),
  ];
}

export async function createPack(
  db: TenantDb,
  tenantId: string,
  actor: { userId: string | null; label: string },
  input: { name: string; description?: string; text: string },
) {
  if (CATALOG_NAMES.has(input.name) || input.name === "tenant")
    throw new AppError("CONFLICT", `"${input.name}" is the name of a catalog pack; choose another name.`);
  const text = await checkedText(input.name, input.text);
  await assertNameFree(db, tenantId, input.name);
  const id = await policyPackKind.create(db, tenantId, { text }, actor.label, {
    also: { name: input.name, description: input.description ?? "", created_by: actor.label },
  });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "policy_pack.created",
    targetType: "policy_pack",
    targetId: id,
    data: { name: input.name, version: 1 },
  });
  return { id, name: input.name, version: 1 };
}

/** A new immutable version of a tenant pack. Compositions keep naming the version they chose. */
export async function addPackVersion(
  db: TenantDb,
  tenantId: string,
  actor: { userId: string | null; label: string },
  packId: string,
  inputText: string,
) {
  const pack = await db.policyPack.findFirst({ where: { id: packId, tenantId, deletedAt: null } });
  if (!pack) throw notFound("Policy pack");
  const text = await checkedText(pack.name, inputText);
  const version = await policyPackKind.write(
    db,
    tenantId,
    { id: pack.id, title: pack.name, version: pack.version },
    { text, isDeleted: false },
    actor.label,
  );
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "policy_pack.versioned",
    targetType: "policy_pack",
    targetId: packId,
    data: { name: pack.name, version },
  });
  return { id: packId, name: pack.name, version };
}

/** A pack version by name and version: the catalog's, else the tenant's own live pack; null when there is none. */
export async function packSource(db: TenantDb, tenantId: string, ref: { name: string; version: number }): Promise<TPackSource | null> {
  const catalog = catalogPack(ref.name, ref.version);
  if (catalog) return catalog;
  const pack = await db.policyPack.findFirst({ where: { tenantId, name: ref.name, deletedAt: null }, select: { id: true } });
  if (!pack) return null;
  const version = await db.policyPackVersion.findFirst({
    where: { tenantId, packId: pack.id, version: ref.version, isDeleted: false },
    select: { text: true },
  });
  return version ? { name: ref.name, version: ref.version, text: version.text } : null;
}

async function isInComposition(db: TenantDb, tenantId: string, name: string): Promise<boolean> {
  const composition = await db.policyComposition.findUnique({ where: { tenantId } });
  const refs = (composition?.packs ?? []) as { name?: unknown }[];
  return refs.some((ref) => ref.name === name);
}

/** Whether a tier of the tenant's current approval workflow is decided by this pack. */
async function isInApprovalWorkflow(db: TenantDb, tenantId: string, name: string): Promise<boolean> {
  const current = await db.approvalWorkflow.findUnique({ where: { tenantId }, select: { definition: true } });
  type TStoredTier = { approvers?: { pack?: { name?: unknown } } };
  const definition = (current?.definition ?? {}) as { routes?: { tiers?: TStoredTier[] }[]; defaultRoute?: { tiers?: TStoredTier[] } };
  const tiers = [...(definition.routes ?? []).flatMap((route) => route.tiers ?? []), ...(definition.defaultRoute?.tiers ?? [])];
  return tiers.some((tier) => tier.approvers?.pack?.name === name);
}

export async function deletePack(db: TenantDb, tenantId: string, actor: { userId: string | null; label: string }, packId: string) {
  const pack = await db.policyPack.findFirst({ where: { id: packId, tenantId, deletedAt: null } });
  if (!pack) throw notFound("Policy pack");
  if (await isInComposition(db, tenantId, pack.name))
    throw new AppError("CONFLICT", `The tenant's composition uses "${pack.name}"; take it out of the composition first.`);
  if (await isInApprovalWorkflow(db, tenantId, pack.name))
    throw new AppError("CONFLICT", `A tier of the tenant's approval workflow is decided by "${pack.name}"; change the workflow first.`);
  const version = await policyPackKind.write(
    db,
    tenantId,
    { id: pack.id, title: pack.name, version: pack.version },
    { text: pack.text, isDeleted: true },
    actor.label,
  );
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "policy_pack.deleted",
    targetType: "policy_pack",
    targetId: pack.id,
    data: { name: pack.name, version },
  });
  return { id: pack.id };
}
