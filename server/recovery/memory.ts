// The agent's memory as a recoverable kind. An entry's id is its memory_entries
// row; its history is memory_versions (every set, delete and restore is a line).
// Restoring never rewrites history: the value comes back as a new version.
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { writeNextVersion } from "@/server/memory/service";
import { isUuid } from "@/server/validation";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "./types";

/** The Trash shows the most recent deletions; older ones are still purged and still restorable by id. */
const LIST_LIMIT = 1000;

async function entryOf(db: TenantDb, tenantId: string, id: string) {
  const entry = isUuid(id) ? await db.memoryEntry.findFirst({ where: { id, tenantId } }) : null;
  if (!entry) throw notFound("Memory entry");
  return entry;
}

export const memoryKind: TRecoverableKind = {
  kind: "memory",
  label: "Memory entry",

  async listDeleted(db, tenantId): Promise<TTrashItem[]> {
    const rows = await db.memoryEntry.findMany({
      where: { tenantId, deletedAt: { not: null } },
      orderBy: [{ deletedAt: "desc" }, { key: "asc" }],
      take: LIST_LIMIT,
    });
    return rows.map((row) => ({
      kind: "memory",
      id: row.id,
      title: row.key,
      deletedAt: row.deletedAt ?? row.updatedAt,
      // The delete is the entry's last change, so its last actor is who deleted it.
      deletedBy: row.updatedBy,
      version: row.version,
    }));
  },

  async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
    const entry = await entryOf(db, tenantId, id);
    const versions = await db.memoryVersion.findMany({ where: { tenantId, entryId: entry.id }, orderBy: { version: "desc" } });
    return versions.map((version) => ({
      version: version.version,
      createdAt: version.createdAt,
      actor: version.actor,
      isDeleted: version.isDeleted,
      content: version.value,
    }));
  },

  async restore(db, tenantId, id, actor) {
    const entry = await entryOf(db, tenantId, id);
    if (!entry.deletedAt) throw new AppError("CONFLICT", `"${entry.key}" is not in the Trash; it was restored or set again meanwhile.`);
    await writeNextVersion(db, tenantId, entry, { value: entry.value, isDeleted: false }, actor);
  },

  async restoreVersion(db, tenantId, id, version, actor) {
    const entry = await entryOf(db, tenantId, id);
    const old = await db.memoryVersion.findFirst({ where: { tenantId, entryId: entry.id, version } });
    if (!old) throw notFound(`Version ${version} of "${entry.key}"`);
    await writeNextVersion(db, tenantId, entry, { value: old.value, isDeleted: false }, actor);
  },

  async purge(db, tenantId, deletedBefore) {
    // Versions go with their entry (ON DELETE CASCADE); the database lets the app
    // delete only entries that are in the Trash (policy delete_only_trashed).
    const { count } = await db.memoryEntry.deleteMany({ where: { tenantId, deletedAt: { not: null, lt: deletedBefore } } });
    return count;
  },
};
