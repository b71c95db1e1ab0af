// GET /api/v1/tenants/:tenant/approvals
// The calling agent's inbox: pending requests whose current tier lists this agent
// and that it has not voted on yet, soonest deadline first. Agents poll this, then
// POST …/approvals/:requestId/decision. `Authorization: Bearer <agent API key>`.
import { agentCaller, errorAnswer, jsonAnswer } from "@/server/agents/http";
import { listInbox } from "@/server/approvals/queries";
import { withTenant } from "@/server/db";
import { agentPrincipal } from "@/server/principals";

export const dynamic = "force-dynamic";

type TParams = { params: Promise<{ tenant: string }> };

export async function GET(request: Request, { params }: TParams): Promise<Response> {
  const { tenant: slug } = await params;
  try {
    const caller = await agentCaller(slug, request);
    if (caller instanceof Response) return caller;
    const requests = await withTenant(caller.tenant.id, (db) =>
      listInbox(db, caller.tenant.id, { principal: agentPrincipal(caller.agent.agentId) }),
    );
    return jsonAnswer(200, { requests });
  } catch (error) {
    return errorAnswer(error, { tenant: slug });
  }
}
