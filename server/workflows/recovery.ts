// Workflows as a recoverable kind: the Trash brings a deleted workflow back, the
// version history brings back any earlier definition, each as a new version.
// An old definition is checked again before it comes back: a version saved under
// a wider allowlist never returns. Restoring needs the admin role, like saving.
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { isUuid } from "@/server/validation";
import type { TRecoverableKind, TTrashItem, TVersionItem } from "@/server/recovery/types";
import type { TWorkflowDefinition } from "./definition";
import { checkedDefinition, writeWorkflowVersion } from "./service";

const LIST_LIMIT = 1000;

async function workflowOf(db: TenantDb, tenantId: string, id: string) {
  const workflow = isUuid(id) ? await db.workflow.findFirst({ where: { id, tenantId } }) : null;
  if (!workflow) throw notFound("Workflow");
  return workflow;
}

export const workflowKind: TRecoverableKind = {
  kind: "workflow",
  label: "Workflow",
  restoreRole: "admin",

  async listDeleted(db, tenantId): Promise<TTrashItem[]> {
    const rows = await db.workflow.findMany({
      where: { tenantId, deletedAt: { not: null } },
      orderBy: [{ deletedAt: "desc" }, { name: "asc" }],
      take: LIST_LIMIT,
    });
    return rows.map((row) => ({
      kind: "workflow",
      id: row.id,
      title: row.name,
      deletedAt: row.deletedAt ?? row.updatedAt,
      deletedBy: row.deletedBy ?? row.updatedBy,
      version: row.version,
    }));
  },

  async listVersions(db, tenantId, id): Promise<TVersionItem[]> {
    const workflow = await workflowOf(db, tenantId, id);
    const versions = await db.workflowVersion.findMany({ where: { tenantId, workflowId: workflow.id }, orderBy: { version: "desc" } });
    return versions.map((version) => ({
      version: version.version,
      createdAt: version.createdAt,
      actor: version.actor,
      isDeleted: version.isDeleted,
      content: { name: version.name, description: version.description, definition: version.definition },
    }));
  },

  async restore(db, tenantId, id, actor) {
    const workflow = await workflowOf(db, tenantId, id);
    if (!workflow.deletedAt)
      throw new AppError("CONFLICT", `The workflow "${workflow.name}" is not in the Trash; it was restored meanwhile.`);
    await writeWorkflowVersion(
      db,
      tenantId,
      workflow,
      { name: workflow.name, description: workflow.description, definition: workflow.definition as TWorkflowDefinition, isDeleted: false },
      actor,
    );
  },

  async restoreVersion(db, tenantId, id, version, actor) {
    const workflow = await workflowOf(db, tenantId, id);
    const old = await db.workflowVersion.findFirst({ where: { tenantId, workflowId: workflow.id, version } });
    if (!old) throw notFound(`Version ${version} of the workflow "${workflow.name}"`);
    const definition = checkedDefinition(old.definition);
    await writeWorkflowVersion(
      db,
      tenantId,
      workflow,
      { name: old.name, description: old.description, definition, isDeleted: false },
      actor,
    );
  },

  async purge(db, tenantId, deletedBefore) {
    // Versions go with their workflow (ON DELETE CASCADE); the database lets the app
    // delete only workflows that are in the Trash (policy delete_only_trashed).
    const { count } = await db.workflow.deleteMany({ where: { tenantId, deletedAt: { not: null, lt: deletedBefore } } });
    return count;
  },
};
