import { createTRPCRouter, operatorProcedure } from "@/server/trpc/init";
import { ZCreateTenant } from "./schemas";
import { createTenant, listAllTenants } from "./service";

export const operatorRouter = createTRPCRouter({
  tenant: createTRPCRouter({
    list: operatorProcedure.query(() => listAllTenants()),
    create: operatorProcedure.input(ZCreateTenant).mutation(({ ctx, input }) => createTenant(ctx.user.id, input)),
  }),
});
