// A tenant's approval workflow (routes and tiers), as a versioned kind
// (server/recovery/versioned.ts): one row per tenant with the current version, and
// every save as a line of history that the approvals page shows, compares and
// restores. Requests keep the version they started with, so a save or a restore
// never changes a request on its way. A tenant that never saved one routes by the
// built-in default. The workflow is never deleted, so it never reaches the Trash.
import { recordAudit } from "@/server/audit/service";
import type { TenantDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { packSource } from "@/server/policy/packs";
import { userPrincipal } from "@/server/principals";
import { versionedKind } from "@/server/recovery/versioned";
import { DEFAULT_WORKFLOW, ZApprovalWorkflow, type TApprovalWorkflow } from "./types";

/** A workflow that parses, and whose pack-decided tiers name packs that exist. */
async function checkedWorkflow(db: TenantDb, tenantId: string, definition: unknown): Promise<TApprovalWorkflow> {
  const workflow = ZApprovalWorkflow.parse(definition);
  // A tier decided by a pack that is not there would deny everything routed to it.
  for (const tier of [...workflow.routes.flatMap((route) => route.tiers), ...workflow.defaultRoute.tiers]) {
    const ref = tier.approvers.pack;
    if (ref && !(await packSource(db, tenantId, ref)))
      throw new AppError("BAD_REQUEST", `Tier "${tier.name}" is decided by pack ${ref.name} v${ref.version}, which does not exist.`);
  }
  return workflow;
}

/**
 * Restoring an earlier version brings back who approves what: admins only, and the
 * old definition must still hold (its packs still there).
 */
export const approvalWorkflowKind = versionedKind<{ definition: unknown }>({
  kind: "approval_workflow",
  label: "Approval workflow",
  restoreRole: "admin",
  tables: {
    entity: "approval_workflows",
    versions: "approval_workflow_versions",
    parent: "workflow_id",
    content: { definition: { column: "definition", type: "jsonb" } },
    title: "name",
    hasDeletedBy: false,
  },
  check: async (db, tenantId, _row, content) => ({ definition: await checkedWorkflow(db, tenantId, content.definition) }),
});

export type TCurrentWorkflow = { id: string | null; version: number | null; workflow: TApprovalWorkflow };

/** The tenant's current workflow version, or the built-in default (id and version null). */
export async function currentWorkflow(db: TenantDb, tenantId: string): Promise<TCurrentWorkflow> {
  const row = await db.approvalWorkflow.findUnique({ where: { tenantId } });
  if (!row) return { id: null, version: null, workflow: DEFAULT_WORKFLOW };
  const parsed = ZApprovalWorkflow.safeParse(row.definition);
  // A stored version that no longer parses routes to the default (people, deny on timeout): fail closed.
  return { id: row.id, version: row.version, workflow: parsed.success ? parsed.data : DEFAULT_WORKFLOW };
}

/** A new version of the tenant's workflow (its first, or the next after the one read). */
export async function saveWorkflow(db: TenantDb, tenantId: string, actorUserId: string, definition: unknown): Promise<TCurrentWorkflow> {
  const workflow = await checkedWorkflow(db, tenantId, definition);
  const actor = userPrincipal(actorUserId);
  const existing = await db.approvalWorkflow.findUnique({ where: { tenantId } });
  let id: string;
  let version: number;
  if (existing) {
    id = existing.id;
    version = await approvalWorkflowKind.write(
      db,
      tenantId,
      { id, title: existing.name, version: existing.version },
      { definition: workflow, isDeleted: false },
      actor,
    );
  } else {
    id = await approvalWorkflowKind.create(db, tenantId, { definition: workflow }, actor);
    version = 1;
  }
  await recordAudit(db, {
    tenantId,
    actorUserId,
    action: "approval_workflow.saved",
    targetType: "approval_workflow",
    targetId: String(version),
  });
  return { id, version, workflow };
}
