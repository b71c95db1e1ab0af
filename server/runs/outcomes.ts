// External tool calls whose outcome is unknown: the gate committed the call as started
// (tool_executions) and the process stopped before it could record the result. Nothing
// here can tell whether the tool acted (a message sent, a payment made), so a tenant
// admin checks the tool's side and closes the call with what they found — once: the
// row is locked and must still be open. The run then ends with the admin's note, and
// the call's events are recorded as the admin answered.
import { z } from "zod";
import { withTenant, type TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { appendEvents } from "@/server/events/append";

export const ZCloseOutcome = z.object({
  executionId: z.uuid(),
  result: z.enum(["ran", "did_not_run"]),
  note: z.string().trim().min(1, "Say what you found.").max(2_000),
});
export type TCloseOutcome = z.infer<typeof ZCloseOutcome>;

export type TUnknownOutcome = { id: string; runId: string; tool: string; startedAt: Date; deadlineAt: Date };

/** Calls started and still open past their deadline (the tool's time limit and a minute). */
export async function listUnknownOutcomes(db: TenantDb, tenantId: string, now = new Date()): Promise<TUnknownOutcome[]> {
  const rows = await db.toolExecution.findMany({
    where: { tenantId, finishedAt: null, deadlineAt: { lte: now } },
    orderBy: { startedAt: "asc" },
    take: 100,
  });
  return rows.map((row) => ({ id: row.id, runId: row.runId, tool: row.tool, startedAt: row.startedAt, deadlineAt: row.deadlineAt }));
}

type TOpenRow = { run_id: string; tool: string; decision: Record<string, unknown>; deadline_at: Date; finished_at: Date | null };

export async function closeUnknownOutcome(
  tenantId: string,
  actor: { userId: string; principal: string },
  input: TCloseOutcome,
  now = new Date(),
): Promise<{ status: "closed" }> {
  await withTenant(tenantId, async (_db, { sql }) => {
    const { rows } = await sql.query<TOpenRow>(
      "SELECT run_id, tool, decision, deadline_at, finished_at FROM tool_executions WHERE id = $1 AND tenant_id = $2 FOR UPDATE",
      [input.executionId, tenantId],
    );
    const row = rows[0];
    if (!row) throw notFound("Tool call");
    if (row.finished_at !== null) throw new AppError("CONFLICT", "This call already has an outcome.");
    if (row.deadline_at.getTime() > now.getTime())
      throw new AppError("CONFLICT", "This call may still be running; it can be closed by hand once its time limit has passed.");
    const ran = input.result === "ran";
    await sql.query(
      "UPDATE tool_executions SET finished_at = now(), outcome = $1, closed_by = $2, note = $3 WHERE id = $4 AND tenant_id = $5",
      [input.result, actor.principal, input.note, input.executionId, tenantId],
    );
    await sql.query('UPDATE runs SET status = $1::"RunStatus", ended_at = now() WHERE id = $2 AND tenant_id = $3', [
      ran ? "completed" : "failed",
      row.run_id,
      tenantId,
    ]);
    await sql.query(
      "INSERT INTO audit_logs (tenant_id, actor_user_id, action, target_type, target_id, data) VALUES ($1, $2, 'tool.outcome_closed', 'tool_execution', $3, $4)",
      [tenantId, actor.userId, input.executionId, { result: input.result, note: input.note, tool: row.tool }],
    );
    const said = ran ? "ran (checked by an admin)" : "did not run (checked by an admin)";
    await appendEvents(sql, tenantId, [
      { runId: row.run_id, type: "policy.decision", eventClass: "policy_decision", payload: { ...row.decision, status: "executed" } },
      { runId: row.run_id, type: "tool.call", eventClass: "tool_call", payload: { tool: row.tool, args: row.decision.args ?? null } },
      {
        runId: row.run_id,
        type: "tool.result",
        eventClass: "tool_result",
        payload: {
          tool: row.tool,
          ok: ran,
          closedBy: actor.principal,
          ...(ran ? { result: { note: input.note } } : { error: input.note }),
        },
      },
      { runId: row.run_id, type: "message.agent", eventClass: "message", payload: { text: `${row.tool} ${said}: ${input.note}` } },
      { runId: row.run_id, type: "run.completed", eventClass: "run", payload: { status: ran ? "executed" : "failed" } },
    ]);
  });
  return { status: "closed" };
}
