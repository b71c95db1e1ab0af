// The agent's memory as data: one current value per key, every change a new
// version in memory_versions, delete soft. The memory tools, the Memory page
// and the Trash change it only through these functions, so a change made by a
// person is recorded exactly like one made by an agent (actor "user:<id>" or
// "agent:<id>").
import { recordAudit } from "@/server/audit/service";
import { containsText, withTenant, type SqlClient, type TenantDb, type TSql } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { displayActors } from "@/server/recovery/actors";
import { versionedKind } from "@/server/recovery/versioned";
import { isUuid } from "@/server/validation";
import { userPrincipal } from "@/server/principals";

type TEntryRow = { id: string; key: string; value: string; version: number };

export type TMemoryEntry = { id: string; key: string; value: string; version: number; updatedBy: string; updatedAt: Date };

/**
 * The agent's memory as a versioned, recoverable kind (server/recovery/versioned.ts):
 * an entry's history is memory_versions, every set, delete and restore a line, and
 * restoring brings a value back as a new version.
 */
export const memoryKind = versionedKind<{ value: string }>({
  kind: "memory",
  label: "Memory entry",
  tables: {
    entity: "memory_entries",
    versions: "memory_versions",
    parent: "entry_id",
    content: { value: { column: "value" } },
    fixed: ["key"],
    title: "key",
    hasDeletedBy: false,
  },
});

/**
 * Writes the next version of an entry (the row and its history line). The row is
 * updated only if it is still at the version read, so two concurrent changes can
 * never both claim the same version number: the second is a CONFLICT.
 */
export function writeNextVersion(
  db: TenantDb,
  tenantId: string,
  entry: TEntryRow,
  change: { value: string; isDeleted: boolean },
  actor: string,
): Promise<number> {
  return memoryKind.write(db, tenantId, { id: entry.id, title: entry.key, version: entry.version }, change, actor);
}

/**
 * Remembers a value under a key: a new entry, or the next version of the existing one
 * (undeleting it). One statement (memory_set, the migration 20261123170000): the upsert
 * locks the row, so concurrent sets each get their own version, and the history line is
 * written with it. Runs in the caller's tenant transaction (the gate's record step).
 */
export async function setMemoryIn(
  sql: SqlClient,
  tenantId: string,
  key: string,
  value: string,
  actor: string,
): Promise<{ key: string; version: number }> {
  const statement = setMemoryStatement(tenantId, key, value, actor);
  const { rows } = await sql.query<{ value: number }>({ ...statement, values: [...(statement.values ?? [])] });
  return { key, version: rows[0]?.value ?? 1 };
}

/** setMemoryIn's one statement, to send with the COMMIT that records it: its row's `value` is the new version. */
export function setMemoryStatement(tenantId: string, key: string, value: string, actor: string): TSql {
  return { name: "fabric_memory_set", text: "SELECT memory_set($1::uuid, $2, $3, $4) AS value", values: [tenantId, key, value, actor] };
}

/** The live value under a key, if any. */
export async function getMemoryIn(
  sql: SqlClient,
  tenantId: string,
  key: string,
): Promise<{ key: string; value: string; version: number } | null> {
  const { rows } = await sql.query<{ key: string; value: string; version: number }>(
    "SELECT key, value, version FROM memory_entries WHERE tenant_id = $1 AND key = $2 AND deleted_at IS NULL",
    [tenantId, key],
  );
  return rows[0] ?? null;
}

/** Live entries whose key or value contains the text (case-insensitive), most recently changed first. */
export async function searchMemoryIn(
  sql: SqlClient,
  tenantId: string,
  text: string,
  limit: number,
): Promise<{ key: string; value: string }[]> {
  // strpos, not LIKE: the text is matched literally (no % or _ wildcards).
  const { rows } = await sql.query<{ key: string; value: string }>(
    `SELECT key, value FROM memory_entries
      WHERE tenant_id = $1 AND deleted_at IS NULL
        AND (strpos(lower(key), lower($2)) > 0 OR strpos(lower(value), lower($2)) > 0)
      ORDER BY updated_at DESC LIMIT $3`,
    [tenantId, text, limit],
  );
  return rows;
}

/** setMemoryIn in a tenant transaction of its own (fixtures, scripts). */
export function setMemory(tenantId: string, key: string, value: string, actor: string): Promise<{ key: string; version: number }> {
  return withTenant(tenantId, (_db, { sql }) => setMemoryIn(sql, tenantId, key, value, actor));
}

/**
 * Soft-deletes live entries (one key, one id, or all): each gets a new version
 * marked deleted, carrying its last value, so the Trash can bring it back as it was.
 */
export async function softDeleteMemory(
  db: TenantDb,
  tenantId: string,
  target: { key: string } | { id: string } | { all: true },
  actor: string,
): Promise<string[]> {
  const entries = await db.memoryEntry.findMany({
    where: { tenantId, deletedAt: null, ...("key" in target ? { key: target.key } : "id" in target ? { id: target.id } : {}) },
    orderBy: { key: "asc" },
  });
  for (const entry of entries) await writeNextVersion(db, tenantId, entry, { value: entry.value, isDeleted: true }, actor);
  return entries.map((entry) => entry.key);
}

/** What the agent remembers now (not what is in the Trash), most recently changed first; members shown by email. */
export async function listMemory(db: TenantDb, tenantId: string, options: { query?: string; limit: number }): Promise<TMemoryEntry[]> {
  const query = options.query?.trim() ?? "";
  const rows = await db.memoryEntry.findMany({
    where: {
      tenantId,
      deletedAt: null,
      ...(query ? { OR: [{ key: containsText(query) }, { value: containsText(query) }] } : {}),
    },
    orderBy: [{ updatedAt: "desc" }, { key: "asc" }],
    take: options.limit,
  });
  const actors = await displayActors(
    db,
    rows.map((row) => row.updatedBy),
  );
  return rows.map((row) => ({
    id: row.id,
    key: row.key,
    value: row.value,
    version: row.version,
    updatedBy: actors.get(row.updatedBy) ?? row.updatedBy,
    updatedAt: row.updatedAt,
  }));
}

/** A person deletes one entry from the Memory page: soft and restorable like the agent's delete, and audited. */
export async function deleteMemoryEntry(db: TenantDb, tenantId: string, id: string, actorUserId: string): Promise<{ key: string }> {
  const entry = isUuid(id) ? await db.memoryEntry.findFirst({ where: { id, tenantId } }) : null;
  if (!entry) throw notFound("Memory entry");
  if (entry.deletedAt) throw new AppError("CONFLICT", `"${entry.key}" is already in the Trash.`);
  await softDeleteMemory(db, tenantId, { id: entry.id }, userPrincipal(actorUserId));
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "memory.deleted",
    targetType: "memory",
    targetId: entry.id,
    data: { key: entry.key },
  });
  return { key: entry.key };
}
