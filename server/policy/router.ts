import { z } from "zod";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { zText } from "@/server/validation";
import { addPackVersion, createPack, deletePack, listPacks } from "./packs";
import { userPrincipal } from "@/server/principals";

const ZPackText = z
  .string()
  .max(100_000, { message: "must be at most 100,000 characters" })
  .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL" });
const ZPackName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: "use 2–63 lower-case letters, digits and dashes, e.g. finance-rules" });

const actorOf = (ctx: { user: { id: string } }) => ({ userId: ctx.user.id, label: userPrincipal(ctx.user.id) });

// The packs a tenant can compose: the catalog's and its own. Editing compositions,
// diffs and staged rollouts come with policy-pack management.
export const policyPackRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((db) => listPacks(db, ctx.tenant.id))),
  create: tenantProcedure("admin")
    .input(z.object({ name: ZPackName, description: zText({ max: 300 }).optional(), text: ZPackText }))
    .mutation(({ ctx, input }) => ctx.withTenant((db) => createPack(db, ctx.tenant.id, actorOf(ctx), input))),
  addVersion: tenantProcedure("admin")
    .input(z.object({ packId: z.uuid(), text: ZPackText }))
    .mutation(({ ctx, input }) => ctx.withTenant((db) => addPackVersion(db, ctx.tenant.id, actorOf(ctx), input.packId, input.text))),
  delete: tenantProcedure("admin")
    .input(z.object({ packId: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.withTenant((db) => deletePack(db, ctx.tenant.id, actorOf(ctx), input.packId))),
});
