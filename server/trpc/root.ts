// The application router: one key per domain, named as in the glossary.
import { accountRouter } from "@/server/account/router";
import { conversationRouter, modelRouter } from "@/server/agent/router";
import { approvalRouter } from "@/server/approvals/router";
import { approvalNotificationRouter } from "@/server/approvals/notify-router";
import { credentialRouter } from "@/server/credentials/router";
import { agentKeyRouter } from "@/server/agents/router";
import { auditRouter } from "@/server/audit/router";
import { budgetRouter } from "@/server/budgets/router";
import { checkpointRouter, signingKeyRouter, traceRouter } from "@/server/events/router";
import { invitationRouter } from "@/server/invitations/router";
import { memberRouter } from "@/server/members/router";
import { memoryRouter } from "@/server/memory/router";
import { operatorRouter } from "@/server/operator/router";
import { outboxRouter } from "@/server/outbox/router";
import { recoveryRouter } from "@/server/recovery/router";
import { runRouter } from "@/server/runs/router";
import { policyPackRouter } from "@/server/policy/router";
import { heartbeatRouter, scheduleRouter } from "@/server/schedules/router";
import { skillRouter } from "@/server/skills/router";
import { tenantRouter } from "@/server/tenants/router";
import { toolRouter } from "@/server/tools/router";
import { workflowRouter } from "@/server/workflows/router";
import { authedProcedure, createCallerFactory, createTRPCRouter } from "./init";

export const appRouter = createTRPCRouter({
  me: createTRPCRouter({
    get: authedProcedure.query(({ ctx }) => ctx.user),
  }),
  account: accountRouter,
  tenant: tenantRouter,
  member: memberRouter,
  invitation: invitationRouter,
  audit: auditRouter,
  run: runRouter,
  trace: traceRouter,
  checkpoint: checkpointRouter,
  signingKey: signingKeyRouter,
  conversation: conversationRouter,
  model: modelRouter,
  tool: toolRouter,
  credential: credentialRouter,
  agentKey: agentKeyRouter,
  outbox: outboxRouter,
  memory: memoryRouter,
  recovery: recoveryRouter,
  policyPack: policyPackRouter,
  budget: budgetRouter,
  approval: approvalRouter,
  approvalNotification: approvalNotificationRouter,
  schedule: scheduleRouter,
  heartbeat: heartbeatRouter,
  skill: skillRouter,
  workflow: workflowRouter,
  operator: operatorRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
