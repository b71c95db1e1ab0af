import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { userPrincipal } from "@/server/principals";
import { ZBudgetHistory, ZBudgetRef, ZCreateBudget, ZUpdateBudget, ZUpdateBudgetSettings } from "./schemas";
import { budgetHistory, createBudget, deleteBudget, getBudgetSettings, listBudgets, updateBudget, updateBudgetSettings } from "./service";

const actorOf = (ctx: { user: { id: string } }) => ({ userId: ctx.user.id, label: userPrincipal(ctx.user.id) });

// Everyone in the tenant sees its budgets and their usage (the agent is told them when
// it hits one); admins set them. History and restore go through the recovery router
// (kind "budget").
export const budgetRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((db) => listBudgets(db, ctx.tenant.id))),
  history: tenantProcedure("viewer")
    .input(ZBudgetHistory)
    .query(({ ctx, input }) => ctx.withTenant((db) => budgetHistory(db, ctx.tenant.id, input.budgetId, input.windows))),
  create: tenantProcedure("admin")
    .input(ZCreateBudget)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createBudget(db, ctx.tenant.id, actorOf(ctx), input))),
  update: tenantProcedure("admin")
    .input(ZUpdateBudget)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateBudget(db, ctx.tenant.id, actorOf(ctx), input))),
  delete: tenantProcedure("admin")
    .input(ZBudgetRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => deleteBudget(db, ctx.tenant.id, actorOf(ctx), input.budgetId))),
  settings: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((db) => getBudgetSettings(db, ctx.tenant.id))),
  updateSettings: tenantProcedure("admin")
    .input(ZUpdateBudgetSettings)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateBudgetSettings(db, ctx.tenant.id, actorOf(ctx), input))),
});
