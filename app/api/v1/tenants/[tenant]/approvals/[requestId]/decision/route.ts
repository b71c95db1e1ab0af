// POST /api/v1/tenants/:tenant/approvals/:requestId/decision
// An agent approver's vote on a held call: `Authorization: Bearer <agent API key>`,
// body { "vote": "approve" | "deny", "comment"?: string }. The service checks that
// the agent is an approver of the request's current tier; an approval that
// completes the chain runs the call. Answers are short JSON, never a stack.
import { z } from "zod";
import { agentCaller, errorAnswer, jsonAnswer, readJsonCapped } from "@/server/agents/http";
import { recordAuditOneTrip } from "@/server/audit/service";
import { voteOnRequest } from "@/server/approvals/service";
import { ZAgentDecision } from "@/server/agents/schemas";
import { logger } from "@/server/logger";
import { agentPrincipal } from "@/server/principals";

export const dynamic = "force-dynamic";

type TParams = { params: Promise<{ tenant: string; requestId: string }> };

export async function POST(request: Request, { params }: TParams): Promise<Response> {
  const { tenant: slug, requestId } = await params;
  try {
    const caller = await agentCaller(slug, request);
    if (caller instanceof Response) return caller;
    const body = await readJsonCapped(request);
    if ("error" in body) return jsonAnswer(body.status, { error: body.error });
    const parsed = ZAgentDecision.safeParse(body.value);
    if (!parsed.success)
      return jsonAnswer(400, {
        error: parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "),
      });
    // Any id that is not a UUID names no request: the same answer as an unknown one.
    if (!z.uuid().safeParse(requestId).success) return jsonAnswer(404, { error: "Approval request not found." });
    const { vote } = parsed.data;
    const comment = parsed.data.comment ? parsed.data.comment : null;
    const result = await voteOnRequest(caller.tenant.id, requestId, { principal: agentPrincipal(caller.agent.agentId) }, vote, comment);
    // Which key cast the vote: the event log names the agent, this names its key.
    // The vote is already taken; a failed audit write is logged, not answered as a failure.
    if (result.isNewVote)
      await recordAuditOneTrip({
        tenantId: caller.tenant.id,
        actorUserId: null,
        action: "approval.agent_voted",
        targetType: "approval_request",
        targetId: requestId,
        data: { agentId: caller.agent.agentId, keyId: caller.agent.keyId, keyPrefix: caller.agent.keyPrefix, vote, status: result.status },
      }).catch((error: unknown) => logger.error({ err: error, tenantId: caller.tenant.id, requestId }, "auditing an agent vote failed"));
    return jsonAnswer(200, { status: result.status, tier: result.tier });
  } catch (error) {
    return errorAnswer(error, { tenant: slug, requestId });
  }
}
