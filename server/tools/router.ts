// Tools of this deployment, and the tenant's switches for them.
import { env } from "@/server/env";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { toolCatalog } from "./catalog";
import { ZSetToolEnabled } from "./schemas";
import { listToolSettings, setToolEnabled } from "./settings";

export const toolRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(async ({ ctx }) => {
    const catalog = await toolCatalog(env.DEPLOYMENT_MODE);
    return ctx.withTenant((db) => listToolSettings(db, ctx.tenant.id, catalog));
  }),
  setEnabled: tenantProcedure("admin")
    .input(ZSetToolEnabled)
    .mutation(async ({ ctx, input }) => {
      const catalog = await toolCatalog(env.DEPLOYMENT_MODE);
      return ctx.withTenant((db) => setToolEnabled(db, ctx.tenant.id, ctx.user.id, catalog, input));
    }),
});
