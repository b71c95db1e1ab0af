// 7. record: the gate's record step: every decision goes into the tenant's hash-chained
// event log; executed calls add their call and result; denials are also
// written to the audit log with the rule that decided.
import { recordAuditOneTrip } from "@/server/audit/service";
import { recordEvents, type TNewEvent } from "@/server/events/append";
import { redactSecrets } from "@/server/events/redact";
import { principalId } from "../principal";
import type { TGateCall, TGateOutcome } from "../types";

/**
 * What the planner sent is recorded as sent, but made storable: NUL characters
 * (which PostgreSQL refuses) become visible escapes, non-strings become text.
 */
function storable(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replaceAll("\u0000", "\\u0000");
  if (depth > 20 || value === null || typeof value !== "object") return typeof value === "bigint" ? value.toString() : value;
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storable(key) as string, storable(item, depth + 1)]));
}

function toolLabel(tool: unknown): string {
  let text: string;
  try {
    text = typeof tool === "string" ? tool : (JSON.stringify(tool) ?? typeof tool);
  } catch {
    text = typeof tool;
  }
  return (storable(text) as string).slice(0, 200);
}

export async function recordOutcome(rawCall: TGateCall, outcome: TGateOutcome): Promise<void> {
  const call = { ...rawCall, tool: toolLabel(rawCall.tool) };
  // Arguments are recorded as the planner gave them, masked where they look like secrets.
  const args = storable(redactSecrets(call.args));
  const events: TNewEvent[] = [
    {
      runId: call.runId,
      type: "policy.decision",
      eventClass: "policy_decision",
      payload: {
        tool: call.tool,
        args,
        principal: principalId(call.principal),
        status: outcome.status,
        ...(storable(outcome.decision) as object),
        ...(outcome.durationsMs ? { durationsMs: outcome.durationsMs } : {}),
      },
    },
  ];
  if (outcome.status === "held") {
    events.push({
      runId: call.runId,
      type: "approval.requested",
      eventClass: "approval",
      payload: { approvalRequestId: outcome.approvalRequestId, tool: call.tool, tags: outcome.decision.tags },
    });
  }
  if (outcome.status === "executed" || outcome.status === "failed") {
    events.push({ runId: call.runId, type: "tool.call", eventClass: "tool_call", payload: { tool: call.tool, args } });
    events.push({
      runId: call.runId,
      type: "tool.result",
      eventClass: "tool_result",
      payload:
        outcome.status === "executed"
          ? { tool: call.tool, ok: true, result: storable(redactSecrets(outcome.result)) }
          : { tool: call.tool, ok: false, error: outcome.error },
    });
  }
  await recordEvents(call.tenantId, events);
  if (outcome.status === "denied") {
    await recordAuditOneTrip({
      tenantId: call.tenantId,
      actorUserId: call.principal.type === "User" ? call.principal.id : null,
      action: "gate.denied",
      targetType: "tool",
      targetId: call.tool,
      data: {
        runId: call.runId,
        step: outcome.decision.step,
        explanation: storable(outcome.decision.explanation) as string,
        policies: outcome.decision.policies.map((policy) => policy.id),
      },
    });
  }
}
