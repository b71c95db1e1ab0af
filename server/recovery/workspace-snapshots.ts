// Workspace snapshots (self_hosted) as a recoverable kind: each snapshot taken
// before a destructive shell command is a Trash item ("the workspace as it was
// before `rm -rf build`"); restoring sets the workspace back to it (snapshotting
// what is there first, so that can be undone as well). The file side lives with
// the local tools and is loaded only when a snapshot is restored or purged, so a
// saas process, which never has snapshots, never loads it.
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { isUuid } from "@/server/validation";
import { afterCursorWhere } from "./trash-page";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "./types";

async function snapshotOf(db: TenantDb, tenantId: string, id: string) {
  const snapshot = isUuid(id) ? await db.workspaceSnapshot.findFirst({ where: { id, tenantId } }) : null;
  if (!snapshot) throw notFound("Workspace snapshot");
  return snapshot;
}

function titleOf(command: string): string {
  const line = command.replace(/\s+/g, " ").trim();
  return `Workspace before: ${line.length > 80 ? `${line.slice(0, 79)}…` : line}`;
}

async function restoreSnapshot(db: TenantDb, tenantId: string, id: string, actor: string): Promise<void> {
  const snapshot = await snapshotOf(db, tenantId, id);
  if (snapshot.restoredAt)
    throw new AppError("CONFLICT", "This workspace snapshot was restored already; restore the newer snapshot instead.");
  // Marked first, under the row's lock, so two concurrent restores cannot both run.
  const { count } = await db.workspaceSnapshot.updateMany({
    where: { id: snapshot.id, tenantId, restoredAt: null },
    data: { restoredAt: new Date(), restoredBy: actor },
  });
  if (count !== 1) throw new AppError("CONFLICT", "This workspace snapshot is being restored already.");
  const { restoreSnapshotFiles } = await import("@/server/tools/local/snapshots");
  try {
    await restoreSnapshotFiles(tenantId, snapshot.id, actor);
  } catch (error) {
    throw new AppError("CONFLICT", `The workspace could not be restored: ${error instanceof Error ? error.message : "unknown error"}`);
  }
}

export const workspaceSnapshotKind: TRecoverableKind = {
  kind: "workspace_snapshot",
  label: "Workspace snapshot",

  async listDeleted(db, tenantId, page): Promise<TTrashItem[]> {
    const rows = await db.workspaceSnapshot.findMany({
      where: { tenantId, restoredAt: null, ...afterCursorWhere("workspace_snapshot", page.after, "createdAt") },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: page.limit,
    });
    return rows.map((row) => ({
      kind: "workspace_snapshot",
      id: row.id,
      title: titleOf(row.command),
      deletedAt: row.createdAt,
      deletedBy: row.createdBy,
      version: 1,
    }));
  },

  async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
    const row = await snapshotOf(db, tenantId, id);
    return [
      {
        version: 1,
        createdAt: row.createdAt,
        actor: row.createdBy,
        isDeleted: row.restoredAt === null,
        content: {
          command: row.command,
          kinds: row.kinds,
          bytes: Number(row.bytes),
          restoredAt: row.restoredAt,
          restoredBy: row.restoredBy,
        },
      },
    ];
  },

  restore: (db, tenantId, id, actor) => restoreSnapshot(db, tenantId, id, actor),

  async restoreVersion(db, tenantId, id, version, actor) {
    if (version !== 1) throw notFound(`Version ${version} of the workspace snapshot`);
    await restoreSnapshot(db, tenantId, id, actor);
  },

  async purge(db, tenantId, deletedBefore) {
    const rows = await db.workspaceSnapshot.findMany({ where: { tenantId, createdAt: { lt: deletedBefore } }, select: { id: true } });
    if (rows.length === 0) return 0;
    await db.workspaceSnapshot.deleteMany({ where: { tenantId, id: { in: rows.map((row) => row.id) } } });
    const { removeSnapshotFile } = await import("@/server/tools/local/snapshots");
    for (const row of rows) await removeSnapshotFile(tenantId, row.id);
    return rows.length;
  },
};
