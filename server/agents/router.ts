import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { createAgentKey, listAgentKeys, revokeAgentKey } from "./keys";
import { ZAgentKeyRef, ZCreateAgentKey } from "./schemas";

// Agent approvers' API keys are an admin's business: the key comes out once, at
// creation; afterwards only its prefix and metadata.
export const agentKeyRouter = createTRPCRouter({
  list: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => listAgentKeys(db, ctx.tenant.id))),
  create: tenantProcedure("admin")
    .input(ZCreateAgentKey)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createAgentKey(db, ctx.tenant.id, ctx.user.id, input))),
  revoke: tenantProcedure("admin")
    .input(ZAgentKeyRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => revokeAgentKey(db, ctx.tenant.id, ctx.user.id, input.keyId))),
});
