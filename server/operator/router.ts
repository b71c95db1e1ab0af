import { z } from "zod";
import { createTRPCRouter, operatorProcedure } from "@/server/trpc/init";
import { listApprovalQueues } from "./approvals";
import { ZCreateTenant, ZTenantSlug } from "./schemas";
import { createTenant, listAllTenants } from "./service";

export const operatorRouter = createTRPCRouter({
  tenant: createTRPCRouter({
    list: operatorProcedure.query(() => listAllTenants()),
    create: operatorProcedure.input(ZCreateTenant).mutation(({ ctx, input }) => createTenant(ctx.user.id, input)),
  }),
  approval: createTRPCRouter({
    list: operatorProcedure
      .input(z.object({ tenantSlug: ZTenantSlug.optional() }))
      .query(({ input }) => listApprovalQueues({ ...(input.tenantSlug ? { tenantSlug: input.tenantSlug } : {}) })),
  }),
});
