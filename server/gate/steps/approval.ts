// 5. approval: a call policy holds is handed to the approval plug-in, bound to exactly
//    this run, tool and arguments (their digest), with the fields routes match on.
import type { TenantDb } from "@/server/db";
import { callDigest } from "@/server/tools/call-digest";
import type { TAnyTool } from "@/server/tools/types";
import { principalId } from "../principal";
import type { TApprovalPlugin, TGateCall, TGateOutcome } from "../types";
import type { TPolicyPass } from "./policy";
import { refusal } from "./refusal";

export async function approvalStep(
  approval: TApprovalPlugin,
  call: TGateCall,
  tool: TAnyTool,
  args: unknown,
  { policy, routing }: TPolicyPass,
  db?: TenantDb,
): Promise<Extract<TGateOutcome, { status: "held" }>> {
  const decision = refusal("approval", `Waiting for approval: ${policy.explanation}`, policy);
  const request = await approval.hold(
    {
      tenantId: call.tenantId,
      runId: call.runId,
      tool: tool.name,
      args,
      digest: callDigest({ runId: call.runId, tool: tool.name, args }),
      decision,
      requestedBy: principalId(call.principal),
      routed: {
        tool: tool.name,
        safetyClass: tool.safetyClass,
        tags: decision.tags,
        ...(routing.amount !== undefined ? { amount: routing.amount } : {}),
        ...(routing.currency !== undefined ? { currency: routing.currency } : {}),
        ...(routing.counterparty !== undefined ? { counterparty: routing.counterparty } : {}),
      },
    },
    db,
  );
  return { status: "held", decision, approvalRequestId: request.id, isPackTier: request.isPackTier };
}
