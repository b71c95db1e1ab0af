import { z } from "zod";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { listAudit } from "./service";

export const auditRouter = createTRPCRouter({
  list: tenantProcedure("admin")
    .input(z.object({ cursor: z.uuid().optional(), limit: z.number().int().min(1).max(100).default(50) }))
    .query(({ ctx, input }) => ctx.withTenant((db) => listAudit(db, ctx.tenant.id, input))),
});
