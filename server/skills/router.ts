import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { ZCreateSkill, ZSkillRef, ZUpdateSkill } from "./schemas";
import { createSkill, deleteSkill, getSkill, listSkills, updateSkill } from "./service";
import { userPrincipal } from "@/server/principals";

const actorOf = (ctx: { user: { id: string } }) => ({ userId: ctx.user.id, label: userPrincipal(ctx.user.id) });

// Members read skills (their agents do too); admins write them. Version history and
// restore go through the recovery router (kind "skill").
export const skillRouter = createTRPCRouter({
  list: tenantProcedure("member").query(({ ctx }) => listSkills(ctx.db, ctx.tenant.id)),
  get: tenantProcedure("member")
    .input(ZSkillRef)
    .query(({ ctx, input }) => getSkill(ctx.db, ctx.tenant.id, input.skillId)),
  create: tenantProcedure("admin")
    .input(ZCreateSkill)
    .mutation(({ ctx, input }) => createSkill(ctx.db, ctx.tenant.id, actorOf(ctx), input)),
  update: tenantProcedure("admin")
    .input(ZUpdateSkill)
    .mutation(({ ctx, input }) => updateSkill(ctx.db, ctx.tenant.id, actorOf(ctx), input)),
  delete: tenantProcedure("admin")
    .input(ZSkillRef)
    .mutation(({ ctx, input }) => deleteSkill(ctx.db, ctx.tenant.id, actorOf(ctx), input.skillId)),
});
