// Traces (verification, settings, retention, export size), checkpoints
// and signing keys. Bulk work (verification, proofs, key rotation) runs in its
// own short transactions through tenantAccessProcedure.
import { z } from "zod";
import { recordAudit } from "@/server/audit/service";
import { withTenant, withTenantSql } from "@/server/db";
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantAccessProcedure, tenantProcedure } from "@/server/trpc/tenant-procedure";
import { verifyChain, verifyChainRange } from "./chain";
import { listCheckpoints } from "./checkpoints";
import { countExport, ZExportFilters } from "./export";
import { publicKeys, rotateSigningKey } from "./keys";
import { applyRetention } from "./retention";
import { ZEventLogSettings } from "./schemas";
import { getEventLogSettings, updateEventLogSettings } from "./settings";
import { checkpointInclusion, logConsistency, treeHead } from "./transparency";

export const traceRouter = createTRPCRouter({
  verify: tenantAccessProcedure("viewer").query(({ ctx }) => verifyChain(ctx.tenant.id)),
  verifyRange: tenantAccessProcedure("viewer")
    .input(
      z
        .object({ fromSeq: z.string().regex(/^[1-9][0-9]{0,17}$/), toSeq: z.string().regex(/^[1-9][0-9]{0,17}$/) })
        .refine((range) => BigInt(range.fromSeq) <= BigInt(range.toSeq), { message: "fromSeq must not be after toSeq" }),
    )
    .query(({ ctx, input }) => verifyChainRange(ctx.tenant.id, { fromSeq: BigInt(input.fromSeq), toSeq: BigInt(input.toSeq) })),
  settings: tenantProcedure("admin").query(({ ctx }) => getEventLogSettings(ctx.db, ctx.tenant.id)),
  updateSettings: tenantProcedure("admin")
    .input(ZEventLogSettings)
    .mutation(({ ctx, input }) => updateEventLogSettings(ctx.db, ctx.tenant.id, ctx.user.id, input)),
  applyRetention: tenantAccessProcedure("admin").mutation(async ({ ctx }) => {
    const ranges = await applyRetention(ctx.tenant.id);
    const removed = ranges.reduce((sum, range) => sum + range.removed, 0);
    await withTenant(ctx.tenant.id, (db) =>
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
  exportCount: tenantAccessProcedure("admin")
    .input(ZExportFilters)
    .query(async ({ ctx, input }) => ({ events: await countExport(ctx.tenant.id, input) })),
});

export const checkpointRouter = createTRPCRouter({
  list: tenantAccessProcedure("viewer").query(({ ctx }) =>
    withTenantSql(ctx.tenant.id, (client) => listCheckpoints(client, ctx.tenant.id, { limit: 50 })),
  ),
  proof: tenantAccessProcedure("viewer")
    .input(z.object({ seq: z.string().regex(/^[1-9][0-9]{0,18}$/, { message: "is a sequence number" }) }))
    .query(({ ctx, input }) => withTenantSql(ctx.tenant.id, (client) => checkpointInclusion(client, ctx.tenant.id, input.seq))),
  consistency: tenantAccessProcedure("viewer")
    .input(z.object({ oldSize: z.number().int().min(0), newSize: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => withTenantSql(ctx.tenant.id, (client) => logConsistency(client, input.oldSize, input.newSize))),
  treeHead: tenantAccessProcedure("viewer").query(({ ctx }) => withTenantSql(ctx.tenant.id, (client) => treeHead(client))),
});

export const signingKeyRouter = createTRPCRouter({
  list: tenantAccessProcedure("viewer").query(({ ctx }) => withTenantSql(ctx.tenant.id, (client) => publicKeys(client, ctx.tenant.id))),
  rotate: tenantAccessProcedure("admin").mutation(async ({ ctx }) => {
    const key = await withTenantSql(ctx.tenant.id, (client) => rotateSigningKey(client, ctx.tenant.id));
    await withTenant(ctx.tenant.id, (db) =>
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
