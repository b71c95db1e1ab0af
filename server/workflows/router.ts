import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { validateDefinition, NODE_TYPES } from "./definition";
import { startWorkflowRun } from "./run";
import { ZRunWorkflow, ZSaveWorkflow, ZValidateWorkflow, ZWorkflowRef } from "./schemas";
import { deleteWorkflow, getWorkflow, listWorkflows, saveWorkflow } from "./service";
import { userPrincipal } from "@/server/principals";

const actorOf = (ctx: { user: { id: string } }) => ({ userId: ctx.user.id, label: userPrincipal(ctx.user.id) });

// Members read and run workflows (each step still passes the gate as their call);
// admins save and delete them. Version history and restore go through the
// recovery router (kind "workflow").
export const workflowRouter = createTRPCRouter({
  list: tenantProcedure("member").query(({ ctx }) => ctx.withTenant((db) => listWorkflows(db, ctx.tenant.id))),
  get: tenantProcedure("member")
    .input(ZWorkflowRef)
    .query(({ ctx, input }) => ctx.withTenant((db) => getWorkflow(db, ctx.tenant.id, input.workflowId))),
  // Checks a definition without saving it: the editor shows the problems inline.
  validate: tenantProcedure("member")
    .input(ZValidateWorkflow)
    .mutation(({ input }) => {
      const validation = validateDefinition(input.definition);
      return { isValid: validation.ok, errors: validation.ok ? [] : validation.errors, nodeTypes: [...NODE_TYPES] };
    }),
  save: tenantProcedure("admin")
    .input(ZSaveWorkflow)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => saveWorkflow(db, ctx.tenant.id, actorOf(ctx), input))),
  delete: tenantProcedure("admin")
    .input(ZWorkflowRef)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => deleteWorkflow(db, ctx.tenant.id, actorOf(ctx), input.workflowId))),
  // No tenant transaction around the run: its steps call out and pass the gate.
  run: tenantProcedure("member")
    .input(ZRunWorkflow)
    .mutation(({ ctx, input }) =>
      startWorkflowRun(ctx.tenant.id, { id: ctx.user.id, email: ctx.user.email, role: ctx.membership.role }, input.workflowId, input.input),
    ),
});
