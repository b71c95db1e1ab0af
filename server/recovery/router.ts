// The Trash and version history. Members see and restore their tenant's deleted
// items: restoring only brings back state the tenant already had, as a new
// version that is itself audited and can be deleted again. A kind whose old
// versions could widen what agents may do (policy packs) asks for a higher role
// (TRecoverableKind.restoreRole), checked in the service. Admins set how long the
// Trash keeps things, and may empty it now.
import { createTRPCRouter } from "@/server/trpc/init";
import { tenantProcedure } from "@/server/trpc/tenant-procedure";
import { ZDiffVersions, ZEmptyTrash, ZItemRef, ZRestoreVersion, ZTrashQuery, ZUpdateRecoverySettings } from "./schemas";
import {
  diffVersions,
  emptyTrash,
  getRecoverySettings,
  listTrash,
  listVersions,
  restoreItem,
  restoreItemVersion,
  updateRecoverySettings,
} from "./service";

export const recoveryRouter = createTRPCRouter({
  trash: tenantProcedure("member")
    .input(ZTrashQuery)
    .query(({ ctx, input }) =>
      ctx.withTenant((db) => listTrash(db, ctx.tenant.id, { kind: input.kind, limit: input.limit, cursor: input.cursor ?? undefined })),
    ),
  versions: tenantProcedure("member")
    .input(ZItemRef)
    .query(({ ctx, input }) => ctx.withTenant((db) => listVersions(db, ctx.tenant.id, input))),
  diff: tenantProcedure("member")
    .input(ZDiffVersions)
    .query(({ ctx, input }) => ctx.withTenant((db) => diffVersions(db, ctx.tenant.id, input))),
  restore: tenantProcedure("member")
    .input(ZItemRef)
    .mutation(({ ctx, input }) =>
      ctx.withTenant((db) => restoreItem(db, ctx.tenant.id, { userId: ctx.user.id, role: ctx.membership.role }, input)),
    ),
  restoreVersion: tenantProcedure("member")
    .input(ZRestoreVersion)
    .mutation(({ ctx, input }) =>
      ctx.withTenant((db) => restoreItemVersion(db, ctx.tenant.id, { userId: ctx.user.id, role: ctx.membership.role }, input)),
    ),
  settings: tenantProcedure("member").query(({ ctx }) => ctx.withTenant((db) => getRecoverySettings(db, ctx.tenant.id))),
  // Everything in the Trash, removed for good now (each kind in its own transaction), audited.
  empty: tenantProcedure("admin")
    .input(ZEmptyTrash)
    .mutation(async ({ ctx }) => {
      const { counts, total } = await emptyTrash(ctx.tenant.id, ctx.user.id);
      return { counts, total };
    }),
  updateSettings: tenantProcedure("admin")
    .input(ZUpdateRecoverySettings)
    .mutation(({ ctx, input }) => ctx.withTenant((db) => updateRecoverySettings(db, ctx.tenant.id, ctx.user.id, input))),
});
