// A held call becomes an approval request: routed by the tenant's current approval
// workflow (or the built-in default) to a chain of tiers, with the first tier's
// deadline. The request keeps a copy of its route's tiers, so editing the workflow
// never changes a request already on its way.
import { withTenant, type TenantDb } from "@/server/db";
import type { THeldCall } from "@/server/gate/types";
import { deadlineFor, warningAt } from "./chain";
import { enqueueApprovalNotifications, requestSummary } from "./notify";
import { matchRoute } from "./routing";
import { currentWorkflow } from "./workflow";

// What the gate hands over for a held call (its approval plug-in's input).
export type { THeldCall };


/** The held call's request, in the caller's transaction when `inTransaction` is given, else in one of its own. */
export async function createHeldRequest(held: THeldCall, inTransaction?: TenantDb) {
  const create = async (db: TenantDb) => {
    const { version, workflow } = await currentWorkflow(db, held.tenantId);
    const route = matchRoute(workflow, held.routed);
    const first = route.tiers[0];
    const now = new Date();
    const created = await db.approvalRequest.create({
      data: {
        tenantId: held.tenantId,
        runId: held.runId,
        tool: held.tool,
        args: held.args as object,
        digest: held.digest,
        decision: held.decision,
        requestedBy: held.requestedBy,
        workflowVersion: version,
        routeId: route.routeId,
        routeName: route.name,
        tiers: route.tiers,
        tier: 0,
        tierStartedAt: now,
        deadlineAt: first ? deadlineFor(first, now) : now,
        warnAt: first ? warningAt(first, now) : null,
        safetyClass: held.routed.safetyClass,
        amount: held.routed.amount !== undefined ? BigInt(held.routed.amount) : null,
        currency: held.routed.currency ?? null,
        counterparty: held.routed.counterparty ?? null,
        tags: held.routed.tags,
      },
    });
    await db.run.update({ where: { id: held.runId }, data: { status: "waiting_approval" } });
    // People are told (a pack tier decides at once, nobody needs to look).
    if (first?.approvers.pack === undefined)
      await enqueueApprovalNotifications(db, held.tenantId, { requestId: created.id, kind: "requested", summary: requestSummary(created) });
    return { id: created.id, isPackTier: first?.approvers.pack !== undefined };
  };
  return inTransaction ? create(inTransaction) : withTenant(held.tenantId, create);
}
