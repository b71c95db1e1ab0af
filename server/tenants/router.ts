import { createTRPCRouter, authedProcedure } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { withUser } from "@/server/db";
import { env } from "@/server/env";
import { listMyTenants } from "./service";

export const tenantRouter = createTRPCRouter({
  /** The tenants the signed-in user belongs to (for the tenant switcher). */
  list: authedProcedure.query(({ ctx }) => withUser(ctx.user.id, (db) => listMyTenants(db, ctx.user.id))),
  get: tenantProcedure("viewer").query(({ ctx }) => ({
    ...ctx.tenant,
    role: ctx.membership.role,
    deploymentMode: env.DEPLOYMENT_MODE,
  })),
});
