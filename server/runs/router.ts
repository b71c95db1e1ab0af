// Runs for the run viewer: the list, one run's timeline, and a replay against the
// planner that planned it.
import { z } from "zod";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
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
});
