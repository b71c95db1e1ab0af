// Runs for the run viewer: the list, one run's timeline, a replay against the
// planner that planned it, and external calls whose outcome is unknown.
import { z } from "zod";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { userPrincipal } from "@/server/principals";
import { closeUnknownOutcome, listUnknownOutcomes, ZCloseOutcome } from "./outcomes";
import { replayRecordedRun } from "./replay";
import { ZRunFilters } from "./schemas";
import { getRun, listRuns } from "./service";

export const runRouter = createTRPCRouter({
  list: tenantProcedure("viewer")
    .input(ZRunFilters)
    .query(({ ctx, input }) => ctx.withTenant((db) => listRuns(db, ctx.tenant.id, input))),
  get: tenantProcedure("viewer")
    .input(z.object({ runId: z.uuid() }))
    .query(({ ctx, input }) => ctx.withTenant((db) => getRun(db, ctx.tenant.id, input.runId))),
  // Members: a model run's replay calls the model again (tokens); nothing executes.
  replay: tenantProcedure("member")
    .input(z.object({ runId: z.uuid() }))
    .mutation(({ ctx, input }) => replayRecordedRun(ctx.tenant.id, input.runId)),
  // External calls the process stopped in the middle of: an admin checks the tool's side and closes each, once.
  unknownOutcomes: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => listUnknownOutcomes(db, ctx.tenant.id))),
  closeOutcome: tenantProcedure("admin")
    .input(ZCloseOutcome)
    .mutation(({ ctx, input }) =>
      closeUnknownOutcome(ctx.tenant.id, { userId: ctx.user.id, principal: userPrincipal(ctx.user.id) }, input),
    ),
});
