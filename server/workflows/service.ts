// Workflows as data: one live workflow per name, every save, delete and restore a
// new version in workflow_versions, delete soft. A definition is checked on every
// save (server/workflows/definition.ts): a node type outside the allowlist, a
// dangling pointer or a cycle is a BAD_REQUEST naming the node.
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { displayActors } from "@/server/recovery/actors";
import { versionedKind } from "@/server/recovery/versioned";
import { isUuid } from "@/server/validation";
import { validateDefinition, type TWorkflowDefinition } from "./definition";
import type { TWorkflowRef } from "./engine";
import type { TSaveWorkflow } from "./schemas";

export type TWorkflowSummary = {
  id: string;
  name: string;
  description: string;
  version: number;
  nodeTypes: string[];
  nodeCount: number;
  updatedBy: string;
  updatedAt: Date;
};
export type TWorkflow = TWorkflowSummary & { definition: TWorkflowDefinition };
export type TWorkflowActor = { userId: string | null; label: string };
type TWorkflowRow = { id: string; name: string; description: string; definition: unknown; version: number };
export type TWorkflowContent = { name: string; description: string; definition: TWorkflowDefinition };

/** The definition as saved, or a BAD_REQUEST listing what is wrong with it. */
export function checkedDefinition(raw: unknown): TWorkflowDefinition {
  const validation = validateDefinition(raw);
  if (!validation.ok) throw new AppError("BAD_REQUEST", `The workflow definition is not valid: ${validation.errors.join(" ")}`);
  return validation.definition;
}

function summary(row: TWorkflowRow & { updatedBy: string; updatedAt: Date }, actors: Map<string, string>): TWorkflow {
  const definition = row.definition as TWorkflowDefinition;
  const nodes = Array.isArray(definition?.nodes) ? definition.nodes : [];
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    nodeTypes: [...new Set(nodes.map((node) => node.type))],
    nodeCount: nodes.length,
    updatedBy: actors.get(row.updatedBy) ?? row.updatedBy,
    updatedAt: row.updatedAt,
    definition,
  };
}

export async function listWorkflows(db: TenantDb, tenantId: string): Promise<TWorkflowSummary[]> {
  const rows = await db.workflow.findMany({ where: { tenantId, deletedAt: null }, orderBy: { name: "asc" }, take: 500 });
  const actors = await displayActors(
    db,
    rows.map((row) => row.updatedBy),
  );
  return rows.map((row) => {
    const { definition: _definition, ...rest } = summary(row, actors);
    return rest;
  });
}

export async function getWorkflow(db: TenantDb, tenantId: string, workflowId: string): Promise<TWorkflow> {
  const row = isUuid(workflowId) ? await db.workflow.findFirst({ where: { id: workflowId, tenantId, deletedAt: null } }) : null;
  if (!row) throw notFound("Workflow");
  return summary(row, await displayActors(db, [row.updatedBy]));
}

async function assertNameFree(db: TenantDb, tenantId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await db.workflow.findFirst({ where: { tenantId, name, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) } });
  if (clash) throw new AppError("CONFLICT", `There is already a workflow named "${name}"; choose another name or edit that one.`);
}

/** The next version of a workflow; optimistic on the version read, like skills and memory. */
/**
 * Workflows as a versioned, recoverable kind (server/recovery/versioned.ts): the Trash
 * brings a deleted workflow back, the version history any earlier definition, each as
 * a new version. A definition is checked again before it comes back: one saved under a
 * wider allowlist never returns. Restoring needs the admin role, like saving.
 */
export const workflowKind = versionedKind<TWorkflowContent>({
  kind: "workflow",
  label: "Workflow",
  restoreRole: "admin",
  tables: {
    entity: "workflows",
    versions: "workflow_versions",
    parent: "workflow_id",
    content: { name: { column: "name" }, description: { column: "description" }, definition: { column: "definition", type: "jsonb" } },
    title: "name",
    hasDeletedBy: true,
  },
  check: async (db, tenantId, row, content) => {
    const definition = checkedDefinition(content.definition);
    await assertNameFree(db, tenantId, content.name, row.id);
    return { ...content, definition };
  },
});

/** The next version of a workflow (a save or a delete); a live workflow's name must be free. */
export async function writeWorkflowVersion(
  db: TenantDb,
  tenantId: string,
  workflow: TWorkflowRow,
  change: TWorkflowContent & { isDeleted: boolean },
  actor: string,
): Promise<number> {
  if (!change.isDeleted) await assertNameFree(db, tenantId, change.name, workflow.id);
  return workflowKind.write(db, tenantId, { id: workflow.id, title: workflow.name, version: workflow.version }, change, actor);
}

/** Create (no workflowId) or change a workflow; the definition is checked first. */
export async function saveWorkflow(db: TenantDb, tenantId: string, actor: TWorkflowActor, input: TSaveWorkflow): Promise<TWorkflow> {
  const definition = checkedDefinition(input.definition);
  if (!input.workflowId) {
    await assertNameFree(db, tenantId, input.name);
    const id = await workflowKind.create(db, tenantId, { name: input.name, description: input.description, definition }, actor.label);
    await recordAudit(db, {
      tenantId,
      actorUserId: actor.userId,
      action: "workflow.created",
      targetType: "workflow",
      targetId: id,
      data: { name: input.name, version: 1 },
    });
    return getWorkflow(db, tenantId, id);
  }
  const existing = await db.workflow.findFirst({ where: { id: input.workflowId, tenantId, deletedAt: null } });
  if (!existing) throw notFound("Workflow");
  const version = await writeWorkflowVersion(
    db,
    tenantId,
    existing,
    { name: input.name, description: input.description, definition, isDeleted: false },
    actor.label,
  );
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "workflow.updated",
    targetType: "workflow",
    targetId: existing.id,
    data: { name: input.name, version },
  });
  return getWorkflow(db, tenantId, existing.id);
}

export async function deleteWorkflow(db: TenantDb, tenantId: string, actor: TWorkflowActor, workflowId: string): Promise<{ id: string }> {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, tenantId, deletedAt: null } });
  if (!workflow) throw notFound("Workflow");
  const version = await writeWorkflowVersion(
    db,
    tenantId,
    workflow,
    { name: workflow.name, description: workflow.description, definition: workflow.definition as TWorkflowDefinition, isDeleted: true },
    actor.label,
  );
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "workflow.deleted",
    targetType: "workflow",
    targetId: workflow.id,
    data: { name: workflow.name, version },
  });
  return { id: workflow.id };
}

/**
 * A live workflow to run, by name or id. Its stored definition is checked again:
 * what runs always passed today's allowlist, whatever was written to the row.
 */
export async function runnableWorkflow(db: TenantDb, tenantId: string, ref: { name?: string; workflowId?: string }): Promise<TWorkflowRef> {
  const row = await db.workflow.findFirst({
    where: { tenantId, deletedAt: null, ...(ref.workflowId ? { id: ref.workflowId } : { name: ref.name ?? "" }) },
  });
  if (!row) throw new Error(`There is no workflow ${ref.workflowId ? `with id ${ref.workflowId}` : `named "${ref.name}"`} in this tenant.`);
  const validation = validateDefinition(row.definition);
  if (!validation.ok) throw new Error(`The workflow "${row.name}" is not valid and cannot run: ${validation.errors.join(" ")}`);
  return { id: row.id, name: row.name, version: row.version, definition: validation.definition };
}

/** One saved version of a workflow (a resumed run continues with the version it started with). */
export async function workflowVersion(db: TenantDb, tenantId: string, workflowId: string, version: number): Promise<TWorkflowRef> {
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, tenantId } });
  if (!workflow) throw new Error("This workflow does not exist in this tenant.");
  if (workflow.deletedAt) throw new Error(`The workflow "${workflow.name}" was deleted; it does not continue.`);
  const row = await db.workflowVersion.findFirst({ where: { tenantId, workflowId, version } });
  if (!row) throw new Error(`Version ${version} of the workflow "${workflow.name}" does not exist.`);
  const validation = validateDefinition(row.definition);
  if (!validation.ok) throw new Error(`Version ${version} of "${row.name}" is not valid: ${validation.errors.join(" ")}`);
  return { id: workflowId, name: row.name, version, definition: validation.definition };
}
