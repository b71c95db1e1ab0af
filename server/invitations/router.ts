import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { ZAcceptInvitation, ZInvitationToken } from "./schemas";
import { acceptInvitation, describeInvitation, listPendingInvitations, revokeInvitation } from "./service";

export const invitationRouter = createTRPCRouter({
  list: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => listPendingInvitations(db, ctx.tenant.id))),
  revoke: tenantProcedure("admin")
    .input(z.object({ invitationId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.withTenant((db) => revokeInvitation(db, ctx.tenant.id, ctx.user.id, input.invitationId))),
  // Public: the token is the credential. Both resolve the tenant from the token.
  get: publicProcedure.input(z.object({ token: ZInvitationToken })).query(({ input }) => describeInvitation(input.token)),
  accept: publicProcedure.input(ZAcceptInvitation).mutation(({ ctx, input }) => acceptInvitation(input, ctx.user)),
});
