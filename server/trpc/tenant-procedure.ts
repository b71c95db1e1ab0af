// tenantProcedure(least): the only way a procedure reaches tenant data.
//
// The input names the tenant (`tenantSlug` or `tenantId`). The middleware finds
// it, opens a tenant-scoped transaction (app.tenant_id set, so RLS applies),
// checks the caller's membership and role inside it, and hands the procedure
// only that transaction as `ctx.db`. A tenant the caller does not belong to is
// NOT_FOUND, exactly like one that does not exist.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { hasRole, type TRole } from "@/server/auth/roles";
import { withTenant, withoutTenant, type TenantDb } from "@/server/db";
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

export type TTenantContext = {
  db: TenantDb;
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

    // The procedure runs inside the transaction so that it can only see this
    // tenant; a failed procedure rolls back everything it wrote.
    const outcome = await withTenant(tenant.id, async (db) => {
      const membership = await db.membership.findUnique({ where: { tenantId_userId: { tenantId: tenant.id, userId: ctx.user.id } } });
      if (!membership) throw new TRPCError({ code: "NOT_FOUND", message: TENANT_NOT_FOUND });
      if (tenant.status !== "active") throw new TRPCError({ code: "FORBIDDEN", message: "This tenant is suspended." });
      if (!hasRole(membership.role, least)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${least} role or higher; you are ${membership.role}.` });
      }
      const result = await next({
        ctx: {
          db,
          tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
          membership: { id: membership.id, role: membership.role },
        } satisfies TTenantContext,
      });
      if (!result.ok) throw result.error;
      return result;
    });
    return outcome;
  });
}

/**
 * For procedures that manage their own short transactions (the event log's
 * bulk reads and appends): membership and role are checked as above, in a short
 * tenant transaction, and the procedure gets the tenant but no open transaction.
 */
export function tenantAccessProcedure(least: TRole) {
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
    return next({
      ctx: { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, membership: { id: membership.id, role: membership.role } },
    });
  });
}
