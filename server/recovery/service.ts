// Recovery across kinds: the Trash (what was deleted, by whom, when), version
// history, restore, restore-to-version, the tenant's retention setting and the
// purge. Each kind does its own part (server/recovery/types.ts); this module
// resolves the kind, checks who may restore it, shows actors as people
// recognise them, and audits every restore and purge.
import { diffLines } from "diff";
import { recordAudit } from "@/server/audit/service";
import { hasRole, type TRole } from "@/server/auth/roles";
import { withTenant, type TenantDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { displayActors } from "./actors";
import { RECOVERABLE_KINDS } from "./kinds";
import type { TDiffVersions, TItemRef, TRestoreVersion, TUpdateRecoverySettings } from "./schemas";
import { decodeCursor, encodeCursor, TRASH_PAGE_MAX, trashOrder } from "./trash-page";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "./types";
import { userPrincipal } from "@/server/principals";

export const DEFAULT_PURGE_AFTER_DAYS = 30;
/** How many items a page of the Trash shows unless asked for another number. */
export const TRASH_PAGE_DEFAULT = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

export type TActor = { userId: string; role: TRole };
export type TTrashEntry = TTrashItem & { kindLabel: string; purgesAt: Date };
export type TRecoverySettings = { purgeAfterDays: number; updatedBy: string | null; updatedAt: Date | null };

export function kindOf(kind: string): TRecoverableKind {
  const found = RECOVERABLE_KINDS.find((candidate) => candidate.kind === kind);
  if (!found) {
    const known = RECOVERABLE_KINDS.map((candidate) => candidate.kind).join(", ");
    throw new AppError("BAD_REQUEST", `There is no recoverable kind "${kind}". Known kinds: ${known}.`);
  }
  return found;
}

export async function getRecoverySettings(db: TenantDb, tenantId: string): Promise<TRecoverySettings> {
  const row = await db.tenantRecoverySetting.findUnique({ where: { tenantId } });
  if (!row) return { purgeAfterDays: DEFAULT_PURGE_AFTER_DAYS, updatedBy: null, updatedAt: null };
  const actors = await displayActors(db, [row.updatedBy]);
  return { purgeAfterDays: row.purgeAfterDays, updatedBy: actors.get(row.updatedBy) ?? row.updatedBy, updatedAt: row.updatedAt };
}

export async function updateRecoverySettings(
  db: TenantDb,
  tenantId: string,
  actorUserId: string,
  input: TUpdateRecoverySettings,
): Promise<TRecoverySettings> {
  const before = (await db.tenantRecoverySetting.findUnique({ where: { tenantId } }))?.purgeAfterDays ?? DEFAULT_PURGE_AFTER_DAYS;
  const updatedBy = userPrincipal(actorUserId);
  await db.tenantRecoverySetting.upsert({
    where: { tenantId },
    create: { tenantId, purgeAfterDays: input.purgeAfterDays, updatedBy },
    update: { purgeAfterDays: input.purgeAfterDays, updatedBy, updatedAt: new Date() },
  });
  if (before !== input.purgeAfterDays) {
    await recordAudit(db, {
      tenantId,
      actorUserId,
      action: "recovery.settings_updated",
      targetType: "recovery_settings",
      data: { purgeAfterDays: { from: before, to: input.purgeAfterDays } },
    });
  }
  return getRecoverySettings(db, tenantId);
}

/**
 * One page of the tenant's Trash (or of one kind's), most recently deleted first, with
 * when each will be purged, and the cursor of the next page (null on the last).
 */
export async function listTrash(
  db: TenantDb,
  tenantId: string,
  query: { kind?: string; limit?: number; cursor?: string },
): Promise<{ items: TTrashEntry[]; nextCursor: string | null; purgeAfterDays: number }> {
  const kinds = query.kind ? [kindOf(query.kind)] : RECOVERABLE_KINDS;
  const limit = Math.min(query.limit ?? TRASH_PAGE_DEFAULT, TRASH_PAGE_MAX);
  const page = { limit: limit + 1, after: query.cursor ? decodeCursor(query.cursor) : null };
  const { purgeAfterDays } = await getRecoverySettings(db, tenantId);
  const found: { item: TTrashItem; kind: TRecoverableKind }[] = [];
  // One after another: they share the procedure's transaction (one connection). Each
  // kind gives at most a page and one more after the cursor; the page is the first of all.
  for (const kind of kinds) for (const item of await kind.listDeleted(db, tenantId, page)) found.push({ item, kind });
  found.sort((x, y) => trashOrder(x.item, y.item));
  const shown = found.slice(0, limit);
  const last = shown[shown.length - 1];
  const actors = await displayActors(
    db,
    shown.map(({ item }) => item.deletedBy),
  );
  return {
    items: shown.map(({ item, kind }) => ({
      ...item,
      deletedBy: actors.get(item.deletedBy) ?? item.deletedBy,
      kindLabel: kind.label,
      purgesAt: new Date(item.deletedAt.getTime() + purgeAfterDays * DAY_MS),
    })),
    nextCursor: found.length > limit && last ? encodeCursor(last.item) : null,
    purgeAfterDays,
  };
}

export async function listVersions(db: TenantDb, tenantId: string, ref: TItemRef): Promise<TVersionItem[]> {
  const versions = await kindOf(ref.kind).listVersions(db, tenantId, ref.id);
  const actors = await displayActors(
    db,
    versions.map((version) => version.actor),
  );
  return versions.map((version) => ({ ...version, actor: actors.get(version.actor) ?? version.actor }));
}

export type TDiffPart = { value: string; added: boolean; removed: boolean };
export type TFieldDiff = { field: string; isChanged: boolean; parts: TDiffPart[] };
export type TVersionDiff = { from: number; to: number; fields: TFieldDiff[] };

/** A version's content as named texts: each field of an object, or the whole as "content". */
function fieldTexts(content: unknown): Map<string, string> {
  const text = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? ""));
  if (content && typeof content === "object" && !Array.isArray(content))
    return new Map(Object.entries(content as Record<string, unknown>).map(([field, value]) => [field, text(value)]));
  return new Map([["content", text(content)]]);
}

/**
 * What changed between two versions of one item, field by field, as lines kept, removed
 * and added (jsdiff's line diff): for every kind, from the versions it lists.
 */
export async function diffVersions(db: TenantDb, tenantId: string, input: TDiffVersions): Promise<TVersionDiff> {
  const versions = await kindOf(input.kind).listVersions(db, tenantId, input.id);
  const find = (version: number) => {
    const found = versions.find((candidate) => candidate.version === version);
    if (!found) throw new AppError("NOT_FOUND", `There is no version ${version} of this item.`);
    return found;
  };
  const [before, after] = [fieldTexts(find(input.from).content), fieldTexts(find(input.to).content)];
  const fields = [...new Set([...before.keys(), ...after.keys()])];
  return {
    from: input.from,
    to: input.to,
    fields: fields.map((field) => {
      const parts = diffLines(before.get(field) ?? "", after.get(field) ?? "").map((part) => ({
        value: part.value,
        added: part.added,
        removed: part.removed,
      }));
      return { field, isChanged: parts.some((part) => part.added || part.removed), parts };
    }),
  };
}

function kindForRestore(kind: string, actor: TActor): TRecoverableKind {
  const found = kindOf(kind);
  const least = found.restoreRole ?? "member";
  if (!hasRole(actor.role, least)) {
    throw new AppError("FORBIDDEN", `Restoring a ${found.label.toLowerCase()} needs the ${least} role or higher; you are ${actor.role}.`);
  }
  return found;
}

/** Undelete: the item comes back as it was when deleted, as a new version. */
export async function restoreItem(db: TenantDb, tenantId: string, actor: TActor, ref: TItemRef): Promise<TItemRef> {
  const kind = kindForRestore(ref.kind, actor);
  await kind.restore(db, tenantId, ref.id, userPrincipal(actor.userId));
  await recordAudit(db, { tenantId, actorUserId: actor.userId, action: "recovery.restored", targetType: kind.kind, targetId: ref.id });
  return { kind: kind.kind, id: ref.id };
}

/** An earlier version's content comes back as a new version (a deleted item is undeleted). */
export async function restoreItemVersion(db: TenantDb, tenantId: string, actor: TActor, input: TRestoreVersion): Promise<TItemRef> {
  const kind = kindForRestore(input.kind, actor);
  await kind.restoreVersion(db, tenantId, input.id, input.version, userPrincipal(actor.userId));
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "recovery.version_restored",
    targetType: kind.kind,
    targetId: input.id,
    data: { version: input.version },
  });
  return { kind: kind.kind, id: input.id };
}

export type TPurgeResult = { counts: Record<string, number>; total: number; deletedBefore: Date };

/**
 * Every kind removes what was deleted before the date, each in its own transaction, so
 * one failing kind does not keep the others' trash; the kinds that failed are named.
 */
async function purgeKinds(
  tenantId: string,
  deletedBefore: Date,
): Promise<{ counts: Record<string, number>; total: number; failed: string[] }> {
  const counts: Record<string, number> = {};
  const failed: string[] = [];
  for (const kind of RECOVERABLE_KINDS) {
    try {
      counts[kind.kind] = await withTenant(tenantId, (db) => kind.purge(db, tenantId, deletedBefore));
    } catch (error) {
      failed.push(kind.kind);
      logger.error({ err: error, tenantId, kind: kind.kind }, "purging a recoverable kind failed");
    }
  }
  return { counts, total: Object.values(counts).reduce((sum, count) => sum + count, 0), failed };
}

/**
 * The purge job's work for one tenant: every kind removes what has been in the
 * Trash longer than the tenant's setting. What was removed is audited (actor: the
 * platform). A failed kind is rethrown after the audit so the job counts the tenant
 * as failed.
 */
export async function purgeTenant(tenantId: string, now = new Date()): Promise<TPurgeResult> {
  const { purgeAfterDays } = await withTenant(tenantId, (db) => getRecoverySettings(db, tenantId));
  const deletedBefore = new Date(now.getTime() - purgeAfterDays * DAY_MS);
  const { counts, total, failed } = await purgeKinds(tenantId, deletedBefore);
  if (total > 0 || failed.length > 0) {
    await withTenant(tenantId, (db) =>
      recordAudit(db, {
        tenantId,
        actorUserId: null,
        action: "recovery.purged",
        targetType: "trash",
        data: { counts, total, failed, purgeAfterDays, deletedBefore: deletedBefore.toISOString() },
      }),
    );
  }
  if (failed.length > 0) throw new Error(`Purging the trash failed for: ${failed.join(", ")}.`);
  return { counts, total, deletedBefore };
}

/**
 * "Empty the Trash now", by an admin who confirmed it: everything deleted until now is
 * removed for good, kind by kind, and audited with the counts (also when a kind failed,
 * which is then reported).
 */
export async function emptyTrash(tenantId: string, actorUserId: string, now = new Date()): Promise<TPurgeResult> {
  const deletedBefore = new Date(now.getTime() + 1);
  const { counts, total, failed } = await purgeKinds(tenantId, deletedBefore);
  await withTenant(tenantId, (db) =>
    recordAudit(db, {
      tenantId,
      actorUserId,
      action: "recovery.emptied",
      targetType: "trash",
      data: { counts, total, failed, deletedBefore: deletedBefore.toISOString() },
    }),
  );
  if (failed.length > 0) throw new Error(`Emptying the Trash failed for: ${failed.join(", ")}.`);
  return { counts, total, deletedBefore };
}
