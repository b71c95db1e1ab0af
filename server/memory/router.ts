// The Memory page: what the tenant's agent remembers, and a person's delete
// (soft, recorded and restorable exactly like the agent's memory.delete). A
// person's delete is not held like an agent's: policies bound what agents may
// do; members already act on their tenant's data directly.
import { z } from "zod";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { deleteMemoryEntry, listMemory } from "./service";

const ZQuery = z
  .string()
  .max(200)
  .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL" });

export const memoryRouter = createTRPCRouter({
  list: tenantProcedure("member")
    .input(z.object({ query: ZQuery.optional(), limit: z.number().int().min(1).max(500).default(200) }))
    .query(({ ctx, input }) => ctx.withTenant((db) => listMemory(db, ctx.tenant.id, input))),
  remove: tenantProcedure("member")
    .input(z.object({ entryId: z.string().max(100) }))
    .mutation(({ ctx, input }) => ctx.withTenant((db) => deleteMemoryEntry(db, ctx.tenant.id, input.entryId, ctx.user.id))),
});
