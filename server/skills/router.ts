import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { ZCreateSkill, ZSkillRef, ZUpdateSkill } from "./schemas";
import { createSkill, deleteSkill, getSkill, listSkills, updateSkill } from "./service";
import { userPrincipal } from "@/server/principals";

const actorOf = (ctx: { user: { id: string } }) => ({ userId: ctx.user.id, label: userPrincipal(ctx.user.id) });

// Members read skills (their agents do too); admins write them. Version history and
// restore go through the recovery router (kind "skill").
export const skillRouter = createTRPCRouter({
  list: tenantProcedure("member").query(({ ctx }) => ctx.withTenant((db) => listSkills(db, ctx.tenant.id))),
  get: tenantProcedure("member")
    .input(ZSkillRef)
    .query(({ ctx, input }) => ctx.withTenant((db) => getSkill(db, ctx.tenant.id, input.skillId))),
  create: tenantProcedure("admin")
    .input(ZCreateSkill)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createSkill(db, ctx.tenant.id, actorOf(ctx), input))),
  update: tenantProcedure("admin")
    .input(ZUpdateSkill)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateSkill(db, ctx.tenant.id, actorOf(ctx), input))),
  delete: tenantProcedure("admin")
    .input(ZSkillRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => deleteSkill(db, ctx.tenant.id, actorOf(ctx), input.skillId))),
});
