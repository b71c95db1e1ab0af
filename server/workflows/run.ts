// Running a workflow from the Workflows page: a run of its own in the event log,
// started by the signed-in member, whose one planned call is workflow.run through
// the gate (which checks it like an agent's call; its steps follow as calls of
// their own). No transaction is held while it runs.
import { withTenant } from "@/server/db";
import { notFound } from "@/server/errors";
import { recordEvents } from "@/server/events/append";
import { runGate } from "@/server/gate/pipeline";
import type { TRole } from "@/server/auth/roles";
import { userPrincipal } from "@/server/principals";

export type TWorkflowRunOutcome = {
  runId: string;
  status: "completed" | "waiting_approval" | "failed" | "denied";
  detail: string;
  result: unknown;
};

export async function startWorkflowRun(
  tenantId: string,
  user: { id: string; email: string; role: TRole },
  workflowId: string,
  input: Record<string, unknown>,
): Promise<TWorkflowRunOutcome> {
  const workflow = await withTenant(tenantId, (db) => db.workflow.findFirst({ where: { id: workflowId, tenantId, deletedAt: null } }));
  if (!workflow) throw notFound("Workflow");
  const principal = userPrincipal(user.email);
  const run = await withTenant(tenantId, (db) =>
    db.run.create({ data: { tenantId, title: `Workflow ${workflow.name}`, principal, planner: "workflow" } }),
  );
  await recordEvents(tenantId, [
    { runId: run.id, type: "run.started", eventClass: "run", payload: { principal, workflow: workflow.name } },
    { runId: run.id, type: "plan.tool_call", eventClass: "tool_call", payload: { tool: "workflow.run", args: { workflowId, input } } },
  ]);
  const outcome = await runGate({
    tenantId,
    runId: run.id,
    principal: { type: "User", id: user.id, role: user.role },
    tool: "workflow.run",
    args: { workflowId, input },
  });
  let status: TWorkflowRunOutcome["status"];
  let detail: string;
  let result: unknown = null;
  if (outcome.status === "executed") {
    result = outcome.result;
    const isWaiting = (outcome.result as { status?: unknown } | null)?.status === "waiting_approval";
    status = isWaiting ? "waiting_approval" : "completed";
    detail = isWaiting ? `Waiting for approval at step "${String((outcome.result as { node?: unknown }).node)}".` : "Completed.";
  } else if (outcome.status === "held") {
    status = "waiting_approval";
    detail = outcome.decision.explanation;
  } else if (outcome.status === "denied") {
    status = "denied";
    detail = `Refused at the ${outcome.decision.step} step: ${outcome.decision.explanation}`;
  } else {
    status = "failed";
    detail = outcome.error;
  }
  const isOver = status !== "waiting_approval";
  await recordEvents(tenantId, [
    { runId: run.id, type: "message.agent", eventClass: "message", payload: { text: `Workflow ${workflow.name}: ${detail}` } },
    ...(isOver ? [{ runId: run.id, type: "run.completed", eventClass: "run" as const, payload: { status } }] : []),
  ]);
  await withTenant(tenantId, async (db) => {
    const decisions = await db.event.findMany({ where: { tenantId, runId: run.id, type: "policy.decision" }, select: { payload: true } });
    const tools = [
      ...new Set(decisions.map((event) => String((JSON.parse(event.payload) as { tool?: unknown }).tool ?? "")).filter(Boolean)),
    ];
    await db.run.update({
      where: { id: run.id },
      data: {
        status: status === "waiting_approval" ? "waiting_approval" : status === "failed" ? "failed" : "completed",
        endedAt: isOver ? new Date() : null,
        tools,
      },
    });
  });
  return { runId: run.id, status, detail, result };
}
