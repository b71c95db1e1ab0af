import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { createConversation, getConversation, listConversations, sendMessage } from "./chat";
import { getModelSettings, resetModelSettings, saveModelSettings } from "./models";
import { ZConversationRef, ZCreateConversation, ZModelSettingsInput, ZSendMessage } from "./schemas";

export const conversationRouter = createTRPCRouter({
  list: tenantProcedure("member").query(({ ctx }) => ctx.withTenant((db) => listConversations(db, ctx.tenant.id, ctx.user.id))),
  create: tenantProcedure("member")
    .input(ZCreateConversation)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createConversation(db, ctx.tenant.id, ctx.user.id, input.title))),
  get: tenantProcedure("member")
    .input(ZConversationRef)
    .query(({ ctx, input }) => ctx.withTenant((db) => getConversation(db, ctx.tenant.id, ctx.user.id, input.conversationId))),
  // No tenant transaction around the turn: the planner and tools run outside it.
  send: tenantProcedure("member")
    .input(ZSendMessage)
    .mutation(({ ctx, input }) =>
      sendMessage(
        ctx.tenant.id,
        { id: ctx.user.id, email: ctx.user.email, role: ctx.membership.role },
        input.conversationId,
        input.message,
      ),
    ),
});

// The tenant's model for its agent. Reading shows no secret (the key's last four
// at most), so every member may see which model plans their turns.
export const modelRouter = createTRPCRouter({
  get: tenantProcedure("member").query(({ ctx }) => getModelSettings(ctx.tenant.id)),
  save: tenantProcedure("admin")
    .input(ZModelSettingsInput)
    .mutation(({ ctx, input }) => saveModelSettings(ctx.tenant.id, ctx.user.id, input)),
  reset: tenantProcedure("admin").mutation(({ ctx }) => resetModelSettings(ctx.tenant.id, ctx.user.id)),
});
