// Traces (verification, settings, retention, export size), checkpoints
// and signing keys. Bulk work (verification, proofs, key rotation) runs in its
// own short transactions through tenantProcedure.
import { z } from "zod";
import { recordAudit } from "@/server/audit/service";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { verifyChain, verifyChainRange } from "./chain";
import { listCheckpoints } from "./checkpoints";
import { countExport, ZExportFilters } from "./export";
import { publicKeys, rotateSigningKey } from "./keys";
import { applyRetention } from "./retention";
import { ZEventLogSettings } from "./schemas";
import { getEventLogSettings, updateEventLogSettings } from "./settings";
import { checkpointInclusion, logConsistency, treeHead } from "./transparency";

export const traceRouter = createTRPCRouter({
  verify: tenantProcedure("viewer").query(({ ctx }) => verifyChain(ctx.tenant.id)),
  verifyRange: tenantProcedure("viewer")
    .input(
      z
        .object({ fromSeq: z.string().regex(/^[1-9][0-9]{0,17}$/), toSeq: z.string().regex(/^[1-9][0-9]{0,17}$/) })
        .refine((range) => BigInt(range.fromSeq) <= BigInt(range.toSeq), { message: "fromSeq must not be after toSeq" }),
    )
    .query(({ ctx, input }) => verifyChainRange(ctx.tenant.id, { fromSeq: BigInt(input.fromSeq), toSeq: BigInt(input.toSeq) })),
  settings: tenantProcedure("admin").query(({ ctx }) => ctx.withTenant((db) => getEventLogSettings(db, ctx.tenant.id))),
  updateSettings: tenantProcedure("admin")
    .input(ZEventLogSettings)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateEventLogSettings(db, ctx.tenant.id, ctx.user.id, input))),
  applyRetention: tenantProcedure("admin").mutation(async ({ ctx }) => {
    const ranges = await applyRetention(ctx.tenant.id);
    const removed = ranges.reduce((sum, range) => sum + range.removed, 0);
    await ctx.withTenant((db) =>
      recordAudit(db, {
        tenantId: ctx.tenant.id,
        actorUserId: ctx.user.id,
        action: "event_log.retention_applied",
        targetType: "tenant",
        targetId: ctx.tenant.id,
        data: { removed },
      }),
    );
    return { ranges, removed };
  }),
  exportCount: tenantProcedure("admin")
    .input(ZExportFilters)
    .query(async ({ ctx, input }) => ({ events: await countExport(ctx.tenant.id, input) })),
});

export const checkpointRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((_db, { sql }) => listCheckpoints(sql, ctx.tenant.id, { limit: 50 }))),
  proof: tenantProcedure("viewer")
    .input(z.object({ seq: z.string().regex(/^[1-9][0-9]{0,18}$/, { message: "is a sequence number" }) }))
    .query(({ ctx, input }) => ctx.withTenant((_db, { sql }) => checkpointInclusion(sql, ctx.tenant.id, input.seq))),
  consistency: tenantProcedure("viewer")
    .input(z.object({ oldSize: z.number().int().min(0), newSize: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => ctx.withTenant((_db, { sql }) => logConsistency(sql, input.oldSize, input.newSize))),
  treeHead: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((_db, { sql }) => treeHead(sql))),
});

export const signingKeyRouter = createTRPCRouter({
  list: tenantProcedure("viewer").query(({ ctx }) => ctx.withTenant((_db, { sql }) => publicKeys(sql, ctx.tenant.id))),
  rotate: tenantProcedure("admin").mutation(async ({ ctx }) => {
    const key = await ctx.withTenant((_db, { sql }) => rotateSigningKey(sql, ctx.tenant.id));
    await ctx.withTenant((db) =>
      recordAudit(db, {
        tenantId: ctx.tenant.id,
        actorUserId: ctx.user.id,
        action: "signing_key.rotated",
        targetType: "signing_key",
        targetId: key.id,
        data: { keyId: key.id },
      }),
    );
    return key;
  }),
});
