// Members of a tenant. Owners are protected: only an owner may make or unmake
// an owner, and a tenant always keeps at least one.
import { recordAudit } from "@/server/audit/service";
import type { TRole } from "@/server/auth/roles";
import { normalizeEmail } from "@/server/auth/users";
import type { TenantDb } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { createInvitation } from "@/server/invitations/service";
import type { TInviteMember } from "./schemas";
import { userPrincipal } from "@/server/principals";

export type TActor = { userId: string; role: TRole };

export async function listMembers(db: TenantDb, tenantId: string) {
  const rows = await db.membership.findMany({
    where: { tenantId },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({ id: row.id, role: row.role, createdAt: row.createdAt, user: row.user }));
}

/** Everyone the tenant has had as a member, by user id, with the email they had: for naming people in history. */
export async function listMemberNames(db: TenantDb, tenantId: string) {
  const rows = await db.memberName.findMany({ where: { tenantId }, select: { userId: true, email: true }, orderBy: { email: "asc" } });
  return rows.map((row) => ({ principal: userPrincipal(row.userId), email: row.email }));
}

function assertMayManageOwners(actor: TActor, roles: TRole[]): void {
  if (roles.includes("owner") && actor.role !== "owner") {
    throw new AppError("FORBIDDEN", "Only an owner can grant, change or remove the owner role.");
  }
}

async function assertNotLastOwner(db: TenantDb, tenantId: string, membership: { role: TRole }): Promise<void> {
  if (membership.role !== "owner") return;
  const owners = await db.membership.count({ where: { tenantId, role: "owner" } });
  if (owners <= 1) throw new AppError("PRECONDITION_FAILED", "A tenant needs at least one owner: make someone else owner first.");
}

async function findMembership(db: TenantDb, tenantId: string, membershipId: string) {
  const membership = await db.membership.findFirst({ where: { id: membershipId, tenantId }, include: { user: true } });
  if (!membership) throw notFound("Member");
  return membership;
}

export type TInviteResult = { kind: "invited"; invitationId: string; email: string; token: string; expiresAt: Date };

/**
 * Everyone is invited, with an account or without: joining a tenant needs the
 * person's own acceptance, and the answer is the same either way, so inviting
 * does not tell whether an email has an account. Until accepted, the tenant
 * sees only the email it typed. Only the tenant's own members are looked up
 * (their rows are visible to it), to refuse inviting someone twice.
 */
export async function inviteMember(db: TenantDb, tenantId: string, actor: TActor, input: TInviteMember): Promise<TInviteResult> {
  assertMayManageOwners(actor, [input.role]);
  const email = normalizeEmail(input.email);
  const existing = await db.membership.findFirst({ where: { tenantId, user: { email } }, select: { id: true } });
  if (existing) throw new AppError("CONFLICT", `${email} is already a member of this tenant.`);
  const invitation = await createInvitation(db, tenantId, actor.userId, { email, role: input.role });
  return { kind: "invited", invitationId: invitation.id, email, token: invitation.token, expiresAt: invitation.expiresAt };
}

export async function updateMemberRole(db: TenantDb, tenantId: string, actor: TActor, membershipId: string, role: TRole) {
  const membership = await findMembership(db, tenantId, membershipId);
  if (membership.role === role) return { id: membership.id, role };
  assertMayManageOwners(actor, [membership.role, role]);
  await assertNotLastOwner(db, tenantId, membership);
  const updated = await db.membership.update({ where: { id: membership.id }, data: { role } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "member.role_changed",
    targetType: "membership",
    targetId: membership.id,
    data: { email: membership.user.email, from: membership.role, to: role },
  });
  return { id: updated.id, role: updated.role };
}

export async function removeMember(db: TenantDb, tenantId: string, actor: TActor, membershipId: string) {
  const membership = await findMembership(db, tenantId, membershipId);
  assertMayManageOwners(actor, [membership.role]);
  await assertNotLastOwner(db, tenantId, membership);
  await db.membership.delete({ where: { id: membership.id } });
  await recordAudit(db, {
    tenantId,
    actorUserId: actor.userId,
    action: "member.removed",
    targetType: "membership",
    targetId: membership.id,
    data: { email: membership.user.email, role: membership.role },
  });
  return { id: membership.id };
}
