// Chat: a conversation is a user's sequence of agent turns; each turn is a run
// in the event log, so what the chat shows is what the trace proves.
import { env } from "@/server/env";
import { withTenant, type TenantDb } from "@/server/db";
import { notFound } from "@/server/errors";
import type { TRole } from "@/server/auth/roles";
import { toolCatalog } from "@/server/tools/catalog";
import { runAgentTurn } from "./loop";
import { deploymentModel, plannerName } from "./models";
import { plannerForTenant } from "./planner";
import type { TLlmProvider } from "./providers";
import { SCRIPTED_PLANNER_LABEL } from "./scripted-planner";
import { userPrincipal } from "@/server/principals";

export async function listConversations(db: TenantDb, tenantId: string, userId: string) {
  return db.conversation.findMany({ where: { tenantId, userId }, orderBy: { updatedAt: "desc" }, take: 50 });
}

export async function createConversation(db: TenantDb, tenantId: string, userId: string, title?: string) {
  return db.conversation.create({ data: { tenantId, userId, title: title ?? "New conversation" } });
}

type TDecisionPayload = {
  tool: string;
  args: unknown;
  status: "executed" | "denied" | "held" | "failed";
  effect: string;
  step: string;
  explanation: string;
  policies: { id: string }[];
};

/** A held call's request as the card shows it: still waiting, or decided and by whom. */
export type TChatApproval = {
  status: "pending" | "approved" | "denied" | "cancelled" | "expired";
  /** Principals ("user:<id>", "agent:…", "pack:…", "timeout") who decided; the client shows emails. */
  decidedBy: string[];
  comment: string | null;
  decidedAt: Date | null;
};
export type TChatToolCard = TDecisionPayload & {
  seq: string;
  approvalRequestId: string | null;
  approval: TChatApproval | null;
  result: unknown;
};
export type TChatTurn = {
  runId: string;
  status: string;
  userMessage: string;
  reply: string | null;
  tools: TChatToolCard[];
  startedAt: Date;
  /** "scripted" or "<provider>:<model>" */
  planner: string;
  inputTokens: number;
  outputTokens: number;
};

export async function getConversation(db: TenantDb, tenantId: string, userId: string, conversationId: string) {
  const conversation = await db.conversation.findFirst({ where: { id: conversationId, tenantId, userId } });
  if (!conversation) throw notFound("Conversation");
  const runs = await db.run.findMany({ where: { tenantId, conversationId }, orderBy: { startedAt: "asc" }, take: 200 });
  const events = await db.event.findMany({
    where: {
      tenantId,
      runId: { in: runs.map((run) => run.id) },
      type: { in: ["message.user", "message.agent", "policy.decision", "approval.requested", "approval.cancelled", "tool.result"] },
    },
    orderBy: { seq: "asc" },
  });
  const approvals = await approvalsOf(
    db,
    tenantId,
    runs.map((run) => run.id),
  );
  const withdrawnBy = new Map<string, string>();
  const turns: TChatTurn[] = runs.map((run) => ({
    runId: run.id,
    status: run.status,
    userMessage: "",
    reply: null,
    tools: [],
    startedAt: run.startedAt,
    planner: run.planner,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
  }));
  const byRun = new Map(turns.map((turn) => [turn.runId, turn]));
  for (const event of events) {
    const turn = event.runId ? byRun.get(event.runId) : undefined;
    if (!turn) continue;
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    if (event.type === "message.user") turn.userMessage = String(payload.text ?? "");
    else if (event.type === "message.agent") turn.reply = String(payload.text ?? "");
    else if (event.type === "policy.decision") {
      const decision = payload as TDecisionPayload;
      // An approved call runs later in the same run: its decision ends the held card, not a new one.
      const held = turn.tools.find(
        (card) => card.status === "held" && card.tool === decision.tool && card.approval && card.approval.status !== "pending",
      );
      if (held) Object.assign(held, { ...decision, seq: held.seq });
      else turn.tools.push({ ...decision, seq: event.seq.toString(), approvalRequestId: null, approval: null, result: null });
    } else if (event.type === "approval.requested") {
      const card = turn.tools[turn.tools.length - 1];
      if (card) {
        card.approvalRequestId = String(payload.approvalRequestId ?? "");
        card.approval = approvals.get(card.approvalRequestId) ?? null;
      }
    } else if (event.type === "approval.cancelled") {
      if (typeof payload.by === "string") withdrawnBy.set(String(payload.approvalRequestId ?? ""), payload.by);
    } else if (event.type === "tool.result") {
      const card = turn.tools[turn.tools.length - 1];
      if (card) card.result = payload.ok ? payload.result : { error: payload.error };
    }
  }
  for (const [requestId, by] of withdrawnBy) {
    const approval = approvals.get(requestId);
    if (approval?.status === "cancelled") approval.decidedBy = [by];
  }
  const setting = await db.tenantModelSetting.findUnique({ where: { tenantId } });
  const planner = setting ? plannerName({ ...setting, provider: setting.provider as TLlmProvider }) : plannerName(deploymentModel());
  return {
    conversation,
    turns,
    planner: planner === "scripted" ? SCRIPTED_PLANNER_LABEL : planner,
    isScripted: planner === "scripted",
    deploymentMode: env.DEPLOYMENT_MODE,
  };
}

/** The held calls of these runs with who decided them: the voters on the deciding side, or the deadline. */
async function approvalsOf(db: TenantDb, tenantId: string, runIds: string[]): Promise<Map<string, TChatApproval>> {
  const requests = await db.approvalRequest.findMany({
    where: { tenantId, runId: { in: runIds } },
    select: { id: true, status: true, comment: true, decidedAt: true },
  });
  const votes = await db.approvalVote.findMany({
    where: { tenantId, requestId: { in: requests.filter((request) => request.status !== "pending").map((request) => request.id) } },
    orderBy: { createdAt: "asc" },
    select: { requestId: true, approver: true, vote: true },
  });
  return new Map(
    requests.map((request) => {
      const status = request.status as TChatApproval["status"];
      const side = status === "approved" ? "approve" : "deny";
      const voters = votes.filter((vote) => vote.requestId === request.id && vote.vote === side).map((vote) => vote.approver);
      // No vote on the deciding side: the tier's deadline decided (its timeout rule).
      const decidedBy = status === "pending" || status === "cancelled" ? [] : voters.length === 0 ? ["timeout"] : [...new Set(voters)];
      return [request.id, { status, decidedBy, comment: request.comment, decidedAt: request.decidedAt }];
    }),
  );
}

const HISTORY_TURNS = 10;

/** The conversation's last turns as text (those started before `before`, if given), for a model planner's context. */
export async function conversationHistory(tenantId: string, conversationId: string, before?: Date) {
  return withTenant(tenantId, async (db) => {
    const runs = await db.run.findMany({
      where: { tenantId, conversationId, ...(before ? { startedAt: { lt: before } } : {}) },
      orderBy: { startedAt: "desc" },
      take: HISTORY_TURNS,
      select: { id: true },
    });
    const events = await db.event.findMany({
      where: { tenantId, runId: { in: runs.map((run) => run.id) }, type: { in: ["message.user", "message.agent"] } },
      orderBy: { seq: "asc" },
      select: { type: true, payload: true },
    });
    return events.map((event) => ({
      role: event.type === "message.user" ? ("user" as const) : ("assistant" as const),
      text: String((JSON.parse(event.payload) as { text?: unknown }).text ?? ""),
    }));
  });
}

/** One turn: the planner proposes, the gate decides. No transaction is held while it runs. */
export async function sendMessage(
  tenantId: string,
  user: { id: string; email: string; role: TRole },
  conversationId: string,
  message: string,
) {
  const conversation = await withTenant(tenantId, (db) =>
    db.conversation.findFirst({ where: { id: conversationId, tenantId, userId: user.id } }),
  );
  if (!conversation) throw notFound("Conversation");
  const catalog = await toolCatalog(env.DEPLOYMENT_MODE);
  const { planner, name } = await plannerForTenant(tenantId, catalog, { history: await conversationHistory(tenantId, conversationId) });
  const result = await runAgentTurn(catalog, planner, {
    tenantId,
    principal: { type: "User", id: user.id, role: user.role, label: userPrincipal(user.email) },
    message,
    conversationId,
    plannerName: name,
  });
  await withTenant(tenantId, (db) =>
    db.conversation.update({
      where: { id: conversationId },
      data: { updatedAt: new Date(), ...(conversation.title === "New conversation" ? { title: message.slice(0, 60) } : {}) },
    }),
  );
  return { runId: result.runId, status: result.status, reply: result.reply };
}
