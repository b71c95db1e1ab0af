// The agent loop: a planner proposes, the gate decides, results feed back.
// Every tool the planner can name executes only through runGate: the loop holds a
// read-only catalog of the tools (no `execute` in it), the gate the registry that
// runs them. The tenant transaction is never held across a planner (LLM) call or a
// tool call.
import { APICallError, RetryError } from "ai";
import { isSandboxDelivery, resultSummary } from "@/lib/tool-result";
import { withTenant } from "@/server/db";
import { recordEvents } from "@/server/events/append";
import type { TRunOutcome } from "@/server/runs/service";
import type { TPlanner, TPlannerStep, TPlannerUsage, TRecordedCall } from "@/server/events/replay";
import { runGate } from "@/server/gate/pipeline";
import type { TGateOutcome } from "@/server/gate/types";
import type { TPrincipal } from "@/server/policy/evaluate";
import type { ToolCatalog } from "@/server/tools/catalog";

export type TAgentTurn = {
  tenantId: string;
  principal: TPrincipal & { label: string };
  message: string;
  title?: string;
  conversationId?: string;
  /** "scripted" or "<provider>:<model>", kept on the run. */
  plannerName?: string;
  /** The message itself is untrusted (an inbound WhatsApp message): the run starts tainted. */
  isTainted?: boolean;
};
export type TAgentStep = { tool: string; args: unknown; outcome: TGateOutcome };
export type TAgentResult = {
  runId: string;
  steps: TAgentStep[];
  reply: string;
  status: "completed" | "waiting_approval" | "failed";
  usage: TPlannerUsage;
};

const MAX_STEPS = 6;

function describe(step: TAgentStep): string {
  const { outcome } = step;
  if (outcome.status === "executed") return resultSummary(step.tool, step.args, outcome.result);
  if (outcome.status === "held")
    return `${step.tool} is waiting for approval (${outcome.decision.explanation.replace(/^Waiting for approval: /, "")}).`;
  if (outcome.status === "denied") return `${step.tool} was refused: ${outcome.decision.explanation}`;
  return `${step.tool} failed: ${outcome.error}`;
}

function plannerErrorMessage(error: unknown): string {
  // After retries, the SDK wraps the last failure; report that one.
  const last = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(last)) return `${last.message.slice(0, 300)}${last.statusCode ? ` (HTTP ${last.statusCode})` : ""}`;
  if (last instanceof Error) return last.message.slice(0, 300);
  return "unknown error";
}

export async function runAgentTurn(catalog: ToolCatalog, planner: TPlanner, turn: TAgentTurn): Promise<TAgentResult> {
  const run = await withTenant(turn.tenantId, (db) =>
    db.run.create({
      data: {
        tenantId: turn.tenantId,
        title: (turn.title ?? turn.message).slice(0, 120),
        principal: turn.principal.label,
        conversationId: turn.conversationId ?? null,
        planner: turn.plannerName ?? "scripted",
        isTainted: turn.isTainted ?? false,
      },
    }),
  );
  await recordEvents(turn.tenantId, [
    { runId: run.id, type: "run.started", eventClass: "run", payload: { principal: turn.principal.label } },
    { runId: run.id, type: "message.user", eventClass: "message", payload: { text: turn.message } },
  ]);
  const steps: TAgentStep[] = [];
  const results: TRecordedCall[] = [];
  let reply = "";
  let status: TAgentResult["status"] = "completed";
  const usage: TPlannerUsage = { inputTokens: 0, outputTokens: 0 };
  for (let index = 0; index < MAX_STEPS; index += 1) {
    let plan: TPlannerStep;
    try {
      plan = await planner({ message: turn.message, results });
    } catch (error) {
      // A model that is down, slow or refuses our key: the run fails with the reason, nothing executes.
      const reason = plannerErrorMessage(error);
      await recordEvents(turn.tenantId, [{ runId: run.id, type: "planner.error", eventClass: "run", payload: { error: reason } }]);
      reply = `The model could not plan this request: ${reason}`;
      status = "failed";
      break;
    }
    if (plan.usage) {
      usage.inputTokens += plan.usage.inputTokens;
      usage.outputTokens += plan.usage.outputTokens;
      await recordEvents(turn.tenantId, [
        { runId: run.id, type: "model.usage", eventClass: "run", payload: { planner: turn.plannerName ?? "scripted", ...plan.usage } },
      ]);
    }
    if ("final" in plan) {
      reply = plan.final;
      break;
    }
    await recordEvents(turn.tenantId, [
      { runId: run.id, type: "plan.tool_call", eventClass: "tool_call", payload: { tool: plan.call.tool, args: plan.call.args } },
    ]);
    const outcome = await runGate({
      tenantId: turn.tenantId,
      runId: run.id,
      principal: turn.principal,
      tool: plan.call.tool,
      args: plan.call.args,
    });
    const step = { tool: plan.call.tool, args: plan.call.args, outcome };
    steps.push(step);
    if (outcome.status !== "executed") {
      reply = describe(step);
      status = outcome.status === "held" ? "waiting_approval" : outcome.status === "failed" ? "failed" : "completed";
      break;
    }
    // A tool that runs gated steps of its own (workflow.run) may have left the run waiting
    // for approval: the turn stops there too. Only such tools cost the extra read.
    const current = catalog.get(plan.call.tool)?.mayHoldRun
      ? await withTenant(turn.tenantId, (db) => db.run.findUnique({ where: { id: run.id }, select: { status: true } }))
      : null;
    if (current?.status === "waiting_approval") {
      reply = `${plan.call.tool} is waiting for approval of one of its steps.`;
      status = "waiting_approval";
      break;
    }
    results.push({ tool: plan.call.tool, args: plan.call.args, result: outcome.result });
  }
  if (!reply) reply = steps.map(describe).join(" ") || "Done.";
  if (steps.length > 0 && steps.every((step) => step.outcome.status === "executed") && reply === "Done.")
    reply = steps.map(describe).join(" ");
  // What the run list shows: "completed" alone would read the same for a refusal and a payment.
  const last = steps[steps.length - 1]?.outcome;
  const outcome: TRunOutcome =
    status === "failed"
      ? "failed"
      : last?.status === "denied"
        ? "refused"
        : steps.some((step) => step.outcome.status === "executed" && isSandboxDelivery(step.outcome.result))
          ? "outbox"
          : steps.length > 0
            ? "done"
            : "answered";
  await recordEvents(turn.tenantId, [
    { runId: run.id, type: "message.agent", eventClass: "message", payload: { text: reply } },
    ...(status === "waiting_approval"
      ? []
      : [{ runId: run.id, type: "run.completed", eventClass: "run" as const, payload: { status, outcome } }]),
  ]);
  await withTenant(turn.tenantId, (db) =>
    db.run.update({
      where: { id: run.id },
      data: {
        status: status === "waiting_approval" ? "waiting_approval" : status,
        endedAt: status === "waiting_approval" ? null : new Date(),
        tools: [...new Set(steps.map((step) => step.tool))],
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
      },
    }),
  );
  return { runId: run.id, steps, reply, status, usage };
}
