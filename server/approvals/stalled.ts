// Decided requests whose call has no outcome long after the decision: a crash between
// the claim and the end (the call may or may not have run), or a decision too old for
// the sweep to run late. Nothing can tell from here whether the tool acted, so a tenant
// admin checks the tool's side and closes the request with what they found; the run then
// ends with that note. Operators see the same requests as "stalled" across tenants.
import { z } from "zod";
import { Prisma, type TenantDb, withTenant } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { appendEvents } from "@/server/events/append";

/** Decided, and still no outcome this long after: the sweep would have finished it by now. */
export const STALLED_AFTER_MS = 5 * 60_000;

export const ZCloseResult = z.enum(["ran", "did_not_run"]);
export type TCloseResult = z.infer<typeof ZCloseResult>;

export type TStalledRequest = {
  id: string;
  runId: string;
  tool: string;
  status: string;
  decidedAt: Date | null;
  isClaimed: boolean;
  comment: string | null;
};

/** The stalled requests, as a filter (the tenant's list here, the operators' queue across tenants). */
export function stalledWhere(now: Date): Prisma.ApprovalRequestWhereInput {
  return { status: { not: "pending" }, outcome: { equals: Prisma.DbNull }, decidedAt: { lte: new Date(now.getTime() - STALLED_AFTER_MS) } };
}

export async function listStalled(db: TenantDb, tenantId: string, now = new Date()): Promise<TStalledRequest[]> {
  const rows = await db.approvalRequest.findMany({
    where: { tenantId, ...stalledWhere(now) },
    orderBy: { decidedAt: "asc" },
    take: 100,
  });
  return rows.map((row) => ({
    id: row.id,
    runId: row.runId,
    tool: row.tool,
    status: row.status,
    decidedAt: row.decidedAt,
    isClaimed: row.executedAt !== null,
    comment: row.comment,
  }));
}

type TLockedRow = { run_id: string; tool: string; status: string; outcome: unknown; decided_at: Date | null };

/**
 * Close a stalled request with what the admin found. Claims it too (executed_at), so the
 * sweep never runs it afterwards; the outcome, the run's end, its reply and the event
 * saying who closed it are written in one transaction.
 */
export async function closeStalled(
  tenantId: string,
  requestId: string,
  actor: { userId: string; principal: string },
  result: TCloseResult,
  note: string,
  now = new Date(),
): Promise<{ status: "closed" }> {
  await withTenant(tenantId, async (_db, { sql: client }) => {
    const { rows } = await client.query<TLockedRow>(
      "SELECT run_id, tool, status::text AS status, outcome, decided_at FROM approval_requests WHERE id = $1 AND tenant_id = $2 FOR UPDATE",
      [requestId, tenantId],
    );
    const request = rows[0];
    if (!request) throw notFound("Approval request");
    const isStalled =
      request.status !== "pending" &&
      request.outcome === null &&
      request.decided_at !== null &&
      request.decided_at.getTime() <= now.getTime() - STALLED_AFTER_MS;
    if (!isStalled)
      throw new AppError("CONFLICT", "Only a decided request whose call has had no outcome for five minutes can be closed by hand.");
    const said = result === "ran" ? "ran (checked by an admin)" : "did not run (checked by an admin)";
    await client.query(
      "UPDATE approval_requests SET outcome = $1, executed_at = COALESCE(executed_at, now()) WHERE id = $2 AND tenant_id = $3",
      [{ status: result === "ran" ? "executed" : "not_run", explanation: note, closedBy: actor.principal }, requestId, tenantId],
    );
    await client.query('UPDATE runs SET status = $1::"RunStatus", ended_at = now() WHERE id = $2 AND tenant_id = $3', [
      result === "ran" ? "completed" : "failed",
      request.run_id,
      tenantId,
    ]);
    await client.query(
      "INSERT INTO audit_logs (tenant_id, actor_user_id, action, target_type, target_id, data) VALUES ($1, $2, 'approval.closed', 'approval_request', $3, $4)",
      [tenantId, actor.userId, requestId, { result, note }],
    );
    await appendEvents(client, tenantId, [
      {
        runId: request.run_id,
        type: "approval.closed",
        eventClass: "approval",
        payload: { approvalRequestId: requestId, by: actor.principal, result, note },
      },
      { runId: request.run_id, type: "message.agent", eventClass: "message", payload: { text: `${request.tool} ${said}: ${note}` } },
      { runId: request.run_id, type: "run.completed", eventClass: "run", payload: { status: result === "ran" ? "executed" : "failed" } },
    ]);
  });
  return { status: "closed" };
}
