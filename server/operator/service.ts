// Operator (platform) work: the only domain allowed to use the platform client.
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/server/audit/service";
import { platform, recordPlatformAudit } from "@/server/db/platform";
import { AppError } from "@/server/errors";
import { inviteMember, type TInviteResult } from "@/server/members/service";
import type { TCreateTenant } from "./schemas";
import { userPrincipal } from "@/server/principals";

export async function listAllTenants() {
  return platform.run((db) =>
    db.tenant.findMany({ select: { id: true, slug: true, name: true, status: true, createdAt: true }, orderBy: { createdAt: "asc" } }),
  );
}

/**
 * Create a tenant and its first owner in one transaction: an existing user
 * becomes owner at once; a new email gets an invitation link.
 */
export async function createTenant(
  operatorUserId: string,
  input: TCreateTenant,
): Promise<{ tenant: { id: string; slug: string; name: string }; owner: TInviteResult }> {
  const actor = userPrincipal(operatorUserId);
  const taken = await platform.run((db) => db.tenant.findUnique({ where: { slug: input.slug } }), actor);
  if (taken) throw new AppError("CONFLICT", `The slug "${input.slug}" is taken; choose another.`);
  const tenantId = randomUUID();
  return platform.inTenant(
    tenantId,
    async (db) => {
      const tenant = await db.tenant.create({ data: { id: tenantId, slug: input.slug, name: input.name } });
      await recordPlatformAudit(db, {
        action: "operator.tenant_created",
        targetType: "tenant",
        targetId: tenantId,
        data: { slug: input.slug, name: input.name, ownerEmail: input.ownerEmail },
      });
      await recordAudit(db, {
        tenantId,
        actorUserId: operatorUserId,
        action: "tenant.created",
        targetType: "tenant",
        targetId: tenantId,
        data: { slug: input.slug, name: input.name },
      });
      // The platform acts as an owner here: there is no member yet to act.
      const owner = await inviteMember(db, tenantId, { userId: operatorUserId, role: "owner" }, { email: input.ownerEmail, role: "owner" });
      return { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, owner };
    },
    actor,
  );
}
