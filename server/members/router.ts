import type { TRole } from "@/server/auth/roles";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { ZInviteMember, ZRemoveMember, ZUpdateRole } from "./schemas";
import { inviteMember, listMemberNames, listMembers, removeMember, updateMemberRole } from "./service";

const actorOf = (ctx: { user: { id: string }; membership: { role: TRole } }) => ({ userId: ctx.user.id, role: ctx.membership.role });

export const memberRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((db) => listMembers(db, ctx.tenant.id))),
  // Present and past members' emails, to name people in votes, versions and runs.
  names: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((db) => listMemberNames(db, ctx.tenant.id))),
  invite: tenantProcedure("admin")
    .input(ZInviteMember)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => inviteMember(db, ctx.tenant.id, actorOf(ctx), input))),
  updateRole: tenantProcedure("admin")
    .input(ZUpdateRole)
    .mutation(({ ctx, input }) =>
      ctx.withTenant((db) => updateMemberRole(db, ctx.tenant.id, actorOf(ctx), input.membershipId, input.role)),
    ),
  remove: tenantProcedure("admin")
    .input(ZRemoveMember)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => removeMember(db, ctx.tenant.id, actorOf(ctx), input.membershipId))),
});
