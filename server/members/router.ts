import type { TRole } from "@/server/auth/roles";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { ZInviteMember, ZRemoveMember, ZUpdateRole } from "./schemas";
import { inviteMember, listMemberNames, listMembers, removeMember, updateMemberRole } from "./service";

const actorOf = (ctx: { user: { id: string }; membership: { role: TRole } }) => ({ userId: ctx.user.id, role: ctx.membership.role });

export const memberRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(({ ctx }) => listMembers(ctx.db, ctx.tenant.id)),
  // Present and past members' emails, to name people in votes, versions and runs.
  names: tenantProcedure("viewer").query(({ ctx }) => listMemberNames(ctx.db, ctx.tenant.id)),
  invite: tenantProcedure("admin")
    .input(ZInviteMember)
    .mutation(({ ctx, input }) => inviteMember(ctx.db, ctx.tenant.id, actorOf(ctx), input)),
  updateRole: tenantProcedure("admin")
    .input(ZUpdateRole)
    .mutation(({ ctx, input }) => updateMemberRole(ctx.db, ctx.tenant.id, actorOf(ctx), input.membershipId, input.role)),
  remove: tenantProcedure("admin")
    .input(ZRemoveMember)
    .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.tenant.id, actorOf(ctx), input.membershipId)),
});
