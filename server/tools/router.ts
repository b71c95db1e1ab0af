// Tools of this deployment, and the tenant's switches for them.
import { env } from "@/server/env";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { registryFor } from "./registry";
import { ZSetToolEnabled } from "./schemas";
import { listToolSettings, setToolEnabled } from "./settings";

export const toolRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(async ({ ctx }) => listToolSettings(ctx.db, ctx.tenant.id, await registryFor(env.DEPLOYMENT_MODE))),
  setEnabled: tenantProcedure("admin")
    .input(ZSetToolEnabled)
    .mutation(async ({ ctx, input }) => setToolEnabled(ctx.db, ctx.tenant.id, ctx.user.id, await registryFor(env.DEPLOYMENT_MODE), input)),
});
