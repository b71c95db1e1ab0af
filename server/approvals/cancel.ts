// Withdrawing a held call: the person who asked for it (or a tenant admin) cancels a
// pending request. The call never runs, the run ends with the reason, the approvers'
// inboxes drop it and the notifications say it was cancelled.
import { hasRole, type TRole } from "@/server/auth/roles";
import { withTenant } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordEvents } from "@/server/events/append";
import { enqueueApprovalNotifications, requestSummary } from "./notify";
import { lockRequest, settle } from "./service";

export async function cancelRequest(
  tenantId: string,
  requestId: string,
  who: { principal: string; role: TRole },
  reason: string | null,
): Promise<{ status: "cancelled" }> {
  const cancelled = await withTenant(tenantId, async (db) => {
    // The same row lock as votes: a withdrawal and a vote cannot both decide the request.
    const request = await lockRequest(db, tenantId, requestId);
    const isRequester = request.requestedBy === who.principal;
    if (!isRequester && !hasRole(who.role, "admin"))
      throw new AppError("FORBIDDEN", "Only the person who asked for this call, or a tenant admin, can withdraw it.");
    if (request.status !== "pending") throw new AppError("CONFLICT", `The request is already ${request.status}; it cannot be withdrawn.`);
    const comment = reason ?? (isRequester ? "withdrawn by the requester" : "withdrawn by an admin");
    await db.approvalRequest.update({ where: { id: requestId }, data: { status: "cancelled", decidedAt: new Date(), comment } });
    await enqueueApprovalNotifications(db, tenantId, { requestId, kind: "decided", summary: requestSummary(request, "cancelled") });
    return { runId: request.runId, comment };
  });
  await recordEvents(tenantId, [
    {
      runId: cancelled.runId,
      type: "approval.cancelled",
      eventClass: "approval",
      payload: { approvalRequestId: requestId, by: who.principal, comment: cancelled.comment },
    },
  ]);
  await settle(tenantId, requestId);
  return { status: "cancelled" };
}
