// tenantProcedure(least): the only way a procedure reaches tenant data.
//
// The input names the tenant (`tenantSlug` or `tenantId`). The middleware finds
// it, checks the caller's membership and role in a short tenant transaction, and
// hands the procedure the tenant runner bound to that tenant as
// `ctx.withTenant(work)` — never an open transaction: a procedure opens its
// tenant transaction where it needs one (app.tenant_id set, so RLS applies),
// and no transaction stays open across a model or outbound call it makes. A
// tenant the caller does not belong to is NOT_FOUND, exactly like one that does
// not exist.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hasRole, type TRole } from "@/server/auth/roles";
import { withTenant, withoutTenant, type TenantDb, type TTenantOptions, type TTenantTx } from "@/server/db";
import { authedProcedure } from "./init";

export const ZTenantRef = z
  .object({
    tenantSlug: z
      .string()
      .max(64)
      .regex(/^[a-z0-9-]+$/, { message: "tenantSlug is a lowercase slug" })
      .optional(),
    tenantId: z.uuid().optional(),
  })
  .refine((value) => Boolean(value.tenantSlug ?? value.tenantId), { message: "tenantSlug or tenantId is required" });

/** The tenant runner, bound to the procedure's tenant. */
export type TTenantRunner = <T>(work: (db: TenantDb, tx: TTenantTx) => Promise<T>, options?: TTenantOptions) => Promise<T>;

export type TTenantContext = {
  withTenant: TTenantRunner;
  tenant: { id: string; slug: string; name: string };
  membership: { id: string; role: TRole };
};

const TENANT_NOT_FOUND = "Tenant not found.";

export function tenantProcedure(least: TRole) {
  return authedProcedure.input(ZTenantRef).use(async ({ ctx, input, next }) => {
    const tenant = await withoutTenant((db) =>
      db.tenant.findFirst({ where: input.tenantId ? { id: input.tenantId } : { slug: input.tenantSlug } }),
    );
    if (!tenant) throw new TRPCError({ code: "NOT_FOUND", message: TENANT_NOT_FOUND });
    const membership = await withTenant(tenant.id, (db) =>
      db.membership.findUnique({ where: { tenantId_userId: { tenantId: tenant.id, userId: ctx.user.id } } }),
    );
    if (!membership) throw new TRPCError({ code: "NOT_FOUND", message: TENANT_NOT_FOUND });
    if (tenant.status !== "active") throw new TRPCError({ code: "FORBIDDEN", message: "This tenant is suspended." });
    if (!hasRole(membership.role, least)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${least} role or higher; you are ${membership.role}.` });
    }
    const runner: TTenantRunner = (work, options) => withTenant(tenant.id, work, options);
    return next({
      ctx: {
        withTenant: runner,
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        membership: { id: membership.id, role: membership.role },
      } satisfies TTenantContext,
    });
  });
}
